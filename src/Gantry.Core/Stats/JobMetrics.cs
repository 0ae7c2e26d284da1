using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gantry.Core.Stats;

/// <summary>
/// The job log as .NET metrics, for OpenTelemetry and <c>dotnet-counters</c>: meter <see cref="MeterName"/> with the
/// histograms <c>gantry.job.delay</c> and <c>gantry.job.duration</c> (seconds, tag <c>queue</c>) and the counter
/// <c>gantry.jobs.processed</c> (tags <c>queue</c> and <c>outcome</c>). Released attempts are not counted.
/// </summary>
public sealed class JobMetrics : IJobLogObserver, IDisposable
{
    public const string MeterName = "Gantry.Jobs";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _delay;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _processed;

    /// <param name="meters">The host's meter factory (so listeners of this host, and only they, see the meter);
    /// without one the meter is created directly.</param>
    public JobMetrics(IMeterFactory? meters = null)
    {
        _ownsMeter = meters is null;
        _meter = meters?.Create(MeterName) ?? new Meter(MeterName);
        // The same bucket bounds as /metrics, so both views of a queue agree.
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = CumulativeHistogram.BoundsSeconds };
        _delay = _meter.CreateHistogram("gantry.job.delay", "s",
            "How long a job waited for a worker once due: start − max(created, run_at).", advice: advice);
        _duration = _meter.CreateHistogram("gantry.job.duration", "s",
            "How long a worker held a job's attempt: finish − start.", advice: advice);
        _processed = _meter.CreateCounter<long>("gantry.jobs.processed", "{job}",
            "Attempts that ended, by queue and outcome (succeeded, failed, dead, cancelled, lease_expired).");
    }

    public void OnJobsLogged(ReadOnlySpan<JobRecord> records)
    {
        if (!_delay.Enabled && !_duration.Enabled && !_processed.Enabled) return;
        foreach (ref readonly var r in records)
        {
            if (!r.Outcome.IsProcessed()) continue;
            var queue = new KeyValuePair<string, object?>("queue", r.Queue);
            _delay.Record(r.Delay.TotalSeconds, queue);
            _duration.Record(r.ProcessTime.TotalSeconds, queue);
            _processed.Add(1, new TagList { queue, new KeyValuePair<string, object?>("outcome", r.Outcome.ToWire()) });
        }
    }

    /// <summary>A meter from the factory belongs to the factory, which disposes it with the host.</summary>
    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }
}
