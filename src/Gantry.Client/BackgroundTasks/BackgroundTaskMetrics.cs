using System.Diagnostics.Metrics;
using static Gantry.Client.BackgroundTasks.BackgroundTaskMetricNames;

namespace Gantry.Client.BackgroundTasks;

/// <summary>
/// The instruments of every background task queue in one container, on one meter. The meter comes from the host's
/// <see cref="IMeterFactory"/> when there is one, so two hosts in one process (tests, or an app hosting two) never mix
/// their measurements; without a factory (a bare ServiceCollection) it owns a plain <see cref="Meter"/>.
/// </summary>
internal sealed class BackgroundTaskMetrics : IDisposable
{
    private const string TaskUnit = "{task}";
    private const string MillisecondUnit = "ms";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly object _queuesLock = new();
    private readonly List<BackgroundTaskQueue> _queues = [];
    private readonly Counter<long> _enqueued;
    private readonly Counter<long> _completed;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _rejected;
    private readonly Counter<long> _dropped;
    private readonly Histogram<double> _wait;
    private readonly Histogram<double> _run;

    public BackgroundTaskMetrics(IMeterFactory? meterFactory)
    {
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        // One gauge for all queues: each observation reports every queue, tagged, so queues added later need no new instrument.
        _meter.CreateObservableGauge(QueueDepth, ObserveDepths, TaskUnit, "Tasks waiting to start");
        _enqueued = _meter.CreateCounter<long>(Enqueued, TaskUnit, "Tasks accepted into the queue");
        _completed = _meter.CreateCounter<long>(Completed, TaskUnit, "Tasks that returned normally");
        _failed = _meter.CreateCounter<long>(Failed, TaskUnit, "Tasks that threw, including those cancelled at shutdown");
        _rejected = _meter.CreateCounter<long>(Rejected, TaskUnit, "Tasks refused because the queue was full or shutting down");
        _dropped = _meter.CreateCounter<long>(Dropped, TaskUnit, "Queued tasks that never started because the shutdown grace period ran out");
        _wait = _meter.CreateHistogram<double>(WaitDuration, MillisecondUnit, "Time from enqueue to start");
        _run = _meter.CreateHistogram<double>(RunDuration, MillisecondUnit, "Time a task ran");
    }

    public void Track(BackgroundTaskQueue queue)
    {
        lock (_queuesLock) _queues.Add(queue);
    }

    private IEnumerable<Measurement<int>> ObserveDepths()
    {
        BackgroundTaskQueue[] queues;
        lock (_queuesLock) queues = [.. _queues];
        return queues.Select(q => new Measurement<int>(q.Count, QueueTagFor(q.Name)));
    }

    public void TaskEnqueued(string queue) => _enqueued.Add(1, QueueTagFor(queue));

    public void TaskCompleted(string queue) => _completed.Add(1, QueueTagFor(queue));

    public void TaskFailed(string queue, Exception error) =>
        _failed.Add(1, QueueTagFor(queue), new KeyValuePair<string, object?>(ErrorTypeTag, error.GetType().FullName));

    public void TaskRejected(string queue, string reason) =>
        _rejected.Add(1, QueueTagFor(queue), new KeyValuePair<string, object?>(RejectReasonTag, reason));

    public void TasksDropped(string queue, int count)
    {
        if (count > 0) _dropped.Add(count, QueueTagFor(queue));
    }

    public void WaitEnded(string queue, TimeSpan waited) => _wait.Record(waited.TotalMilliseconds, QueueTagFor(queue));

    public void RunEnded(string queue, TimeSpan ran) => _run.Record(ran.TotalMilliseconds, QueueTagFor(queue));

    private static KeyValuePair<string, object?> QueueTagFor(string queue) => new(QueueTag, queue);

    public void Dispose()
    {
        // A factory's meters belong to the factory, which disposes them with the container.
        if (_ownsMeter) _meter.Dispose();
    }
}
