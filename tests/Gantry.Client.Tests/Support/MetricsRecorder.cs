using System.Diagnostics.Metrics;
using Gantry.Client.BackgroundTasks;

namespace Gantry.Client.Tests.Support;

/// <summary>
/// Listens to the background task meter of one host only (its <see cref="IMeterFactory"/> is the meter's scope), so
/// tests running in parallel never see each other's measurements. Counters can be awaited until they reach a total.
/// </summary>
public sealed class MetricsRecorder : IDisposable
{
    public sealed record Measurement(string Instrument, double Value, IReadOnlyDictionary<string, object?> Tags);

    private readonly object _lock = new();
    private readonly List<Measurement> _measurements = [];
    private readonly Dictionary<string, Instrument> _instruments = [];
    private readonly List<(string Instrument, double Total, TaskCompletionSource Reached)> _waiters = [];
    private readonly MeterListener _listener = new();

    public MetricsRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name != BackgroundTaskMetricNames.MeterName || !ReferenceEquals(instrument.Meter.Scope, scope)) return;
            lock (_lock) _instruments[instrument.Name] = instrument;
            listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.Start();
    }

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var measurement = new Measurement(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value));
        List<TaskCompletionSource> reached = [];
        lock (_lock)
        {
            _measurements.Add(measurement);
            foreach (var waiter in _waiters.Where(w => Total(w.Instrument) >= w.Total).ToList())
            {
                _waiters.Remove(waiter);
                reached.Add(waiter.Reached);
            }
        }
        foreach (var signal in reached) signal.TrySetResult();
    }

    public IReadOnlyList<Measurement> Of(string instrument)
    {
        lock (_lock) return _measurements.Where(m => m.Instrument == instrument).ToList();
    }

    public Instrument Instrument(string name)
    {
        lock (_lock) return _instruments[name];
    }

    /// <summary>The sum of a counter's measurements (or the number of a histogram's), so far.</summary>
    public double Total(string instrument)
    {
        lock (_lock) return _measurements.Where(m => m.Instrument == instrument).Sum(m => m.Value);
    }

    public Task WaitForTotalAsync(string instrument, double total)
    {
        lock (_lock)
        {
            if (Total(instrument) >= total) return Task.CompletedTask;
            var reached = Signals.New();
            _waiters.Add((instrument, total, reached));
            return reached.Task.OrTimeout($"{instrument} to reach {total}");
        }
    }

    /// <summary>Asks the observable gauge now and returns what it said for <paramref name="queue"/>.</summary>
    public double ObserveDepth(string queue = BackgroundTaskOptions.DefaultQueueName)
    {
        lock (_lock) _measurements.RemoveAll(m => m.Instrument == BackgroundTaskMetricNames.QueueDepth);
        _listener.RecordObservableInstruments();
        return Of(BackgroundTaskMetricNames.QueueDepth).Single(m => Equals(m.Tags[BackgroundTaskMetricNames.QueueTag], queue)).Value;
    }

    public void Dispose() => _listener.Dispose();
}
