using System.Diagnostics.Metrics;
using Gantry.Core.Stats;
using Xunit;

namespace Gantry.Core.Tests.Stats;

/// <summary>JobMetrics: the Gantry.Jobs meter's instruments, units and tags, as an OpenTelemetry exporter would see them.</summary>
public sealed class JobMetricsTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private sealed record Measurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags);

    [Fact]
    public void Records_DelayAndDurationInSeconds_AndCountsByOutcome()
    {
        // Other tests may create the meter at the same time: keep to this test's queue.
        var queue = "metrics-" + Guid.NewGuid().ToString("N");
        var seen = new List<Measurement>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == JobMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        void Keep(Instrument i, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var dict = new Dictionary<string, object?>();
            foreach (var t in tags) dict[t.Key] = t.Value;
            if (Equals(dict.GetValueOrDefault("queue"), queue)) lock (seen) seen.Add(new Measurement(i.Name, i.Unit, value, dict));
        }
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Keep(i, v, tags));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Keep(i, v, tags));
        listener.Start();
        using var metrics = new JobMetrics();

        metrics.OnJobsLogged([
            new JobRecord(queue, 1, 1, JobOutcome.Succeeded, T, T.AddSeconds(10), T.AddSeconds(12), T.AddSeconds(12.5)),
            new JobRecord(queue, 2, 1, JobOutcome.Dead, T, T, T.AddSeconds(1), T.AddSeconds(2)),
            new JobRecord(queue, 3, 1, JobOutcome.Released, T, T, T.AddSeconds(1), T.AddSeconds(2)),
        ]);

        Assert.Equal([2.0, 1.0], seen.Where(m => m.Instrument == "gantry.job.delay").Select(m => m.Value));
        Assert.Equal([0.5, 1.0], seen.Where(m => m.Instrument == "gantry.job.duration").Select(m => m.Value));
        Assert.All(seen.Where(m => m.Instrument != "gantry.jobs.processed"), m => Assert.Equal("s", m.Unit));
        var processed = seen.Where(m => m.Instrument == "gantry.jobs.processed").ToList();
        Assert.Equal(["succeeded", "dead"], processed.Select(m => m.Tags["outcome"]));
        Assert.All(processed, m => Assert.Equal(1, m.Value));
    }
}
