using System.Globalization;
using System.Text;
using Gantry.Core.Stats;

namespace Gantry.Http;

/// <summary>
/// Writes the statistics in Prometheus' text exposition format (version 0.0.4), by hand: counters and histograms are
/// totals since this server started (Prometheus derives rates and quantiles over any range), gauges are the present.
/// Every family has its HELP and TYPE lines and its series together, as the format requires.
/// </summary>
internal static class PrometheusText
{
    public static string Write(IReadOnlyList<QueueTotals> totals, IReadOnlyList<QueueStatsReport> queues)
    {
        var text = new StringBuilder(1024 + totals.Count * 2048);

        Family(text, "gantry_jobs_processed_total", "counter",
            "Job attempts that ended on this server since it started, by queue and outcome (released attempts are not counted).");
        foreach (var q in totals)
        {
            foreach (var (outcome, count) in q.Processed)
            {
                text.Append("gantry_jobs_processed_total{queue=\"").Append(Escape(q.Queue)).Append("\",outcome=\"")
                    .Append(outcome.ToWire()).Append("\"} ").Append(count).Append('\n');
            }
        }

        Histogram(text, "gantry_job_delay_seconds",
            "How long job attempts waited for a worker once due: start - max(created, run_at).", totals, q => q.Delay);
        Histogram(text, "gantry_job_process_seconds",
            "How long workers held job attempts: finish - start.", totals, q => q.Process);

        Gauge(text, "gantry_queue_backlog", "Jobs available now, waiting for a worker.", queues, q => q.Backlog);
        Gauge(text, "gantry_queue_running", "Jobs running now (busy workers).", queues, q => q.Running);
        Gauge(text, "gantry_queue_falling_behind",
            "1 while the queue's delay p95 has stayed above Gantry:Stats:DelayWarning for Gantry:Stats:DelayWarningPeriod.",
            queues, q => q.FallingBehind ? 1 : 0);
        return text.ToString();
    }

    private static void Histogram(StringBuilder text, string name, string help, IReadOnlyList<QueueTotals> totals,
        Func<QueueTotals, CumulativeHistogramSnapshot> pick)
    {
        Family(text, name, "histogram", help);
        var bounds = CumulativeHistogram.BoundsSeconds;
        foreach (var q in totals)
        {
            var h = pick(q);
            var queue = Escape(q.Queue);
            for (var i = 0; i <= bounds.Count; i++)
            {
                text.Append(name).Append("_bucket{queue=\"").Append(queue).Append("\",le=\"")
                    .Append(i < bounds.Count ? Number(bounds[i]) : "+Inf").Append("\"} ").Append(h.CumulativeCounts[i]).Append('\n');
            }
            text.Append(name).Append("_sum{queue=\"").Append(queue).Append("\"} ").Append(Number(h.SumSeconds)).Append('\n');
            text.Append(name).Append("_count{queue=\"").Append(queue).Append("\"} ").Append(h.Count).Append('\n');
        }
    }

    private static void Gauge(StringBuilder text, string name, string help, IReadOnlyList<QueueStatsReport> queues, Func<QueueStatsReport, long> pick)
    {
        Family(text, name, "gauge", help);
        foreach (var q in queues)
            text.Append(name).Append("{queue=\"").Append(Escape(q.Queue)).Append("\"} ").Append(pick(q)).Append('\n');
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    /// <summary>Shortest round-trip form, invariant culture (Prometheus parses Go floats).</summary>
    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    internal static string Escape(string value) =>
        value.AsSpan().IndexOfAny('\\', '"', '\n') < 0 ? value : value.Replace("\\", @"\\").Replace("\"", "\\\"").Replace("\n", @"\n");
}
