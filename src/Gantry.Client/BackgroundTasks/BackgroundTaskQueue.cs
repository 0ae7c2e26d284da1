using System.Threading.Channels;

namespace Gantry.Client.BackgroundTasks;

/// <summary>
/// The producer side of one queue: a bounded channel, so memory stays bounded whatever the producers do. The consumer
/// side is <see cref="BackgroundTaskProcessor"/>, which also decides when the queue stops accepting.
/// </summary>
internal sealed class BackgroundTaskQueue : IBackgroundTaskQueue
{
    private readonly Channel<BackgroundTaskItem> _channel;
    private readonly BackgroundTaskMetrics _metrics;
    private readonly TimeProvider _time;
    private volatile bool _accepting = true;

    public BackgroundTaskQueue(string name, BackgroundTaskOptions options, BackgroundTaskMetrics metrics, TimeProvider time)
    {
        (Name, Options, _metrics, _time) = (name, options, metrics, time);
        _channel = Channel.CreateBounded<BackgroundTaskItem>(new BoundedChannelOptions(options.Capacity)
        {
            // The channel only ever waits: Reject is decided here, so it can throw a clear exception rather than drop silently.
            FullMode = BoundedChannelFullMode.Wait,
            // Never SingleReader, even with one consumer: at the end of the grace period the processor empties the
            // queue while a consumer may still be reading.
            SingleReader = false,
            SingleWriter = false,
        });
        metrics.Track(this);
    }

    public string Name { get; }
    public BackgroundTaskOptions Options { get; }
    public int Capacity => Options.Capacity;
    public int Count => _channel.Reader.Count;
    public TimeProvider Time => _time;
    internal ChannelReader<BackgroundTaskItem> Reader => _channel.Reader;

    public ValueTask EnqueueAsync(Func<IServiceProvider, CancellationToken, ValueTask> work, CancellationToken cancellationToken = default) =>
        Enqueue(null, work, cancellationToken);

    public ValueTask EnqueueAsync(string taskName, Func<IServiceProvider, CancellationToken, ValueTask> work, CancellationToken cancellationToken = default) =>
        Enqueue(taskName, work, cancellationToken);

    public bool TryEnqueue(Func<IServiceProvider, CancellationToken, ValueTask> work) => TryEnqueue(null, work);

    public bool TryEnqueue(string? taskName, Func<IServiceProvider, CancellationToken, ValueTask> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (TryWrite(new BackgroundTaskItem(work, taskName, _time.GetTimestamp()))) return true;
        _metrics.TaskRejected(Name, _accepting ? BackgroundTaskMetricNames.RejectReasonFull : BackgroundTaskMetricNames.RejectReasonStopped);
        return false;
    }

    private ValueTask Enqueue(string? taskName, Func<IServiceProvider, CancellationToken, ValueTask> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (cancellationToken.IsCancellationRequested) return ValueTask.FromCanceled(cancellationToken);
        var item = new BackgroundTaskItem(work, taskName, _time.GetTimestamp());
        // The common case (room in the queue) completes synchronously, without an async state machine.
        if (TryWrite(item)) return ValueTask.CompletedTask;
        if (!_accepting) return ValueTask.FromException(StoppedError(null));
        if (Options.FullMode == BackgroundTaskFullMode.Reject)
        {
            _metrics.TaskRejected(Name, BackgroundTaskMetricNames.RejectReasonFull);
            return ValueTask.FromException(new BackgroundTaskQueueFullException(Name, Options.Capacity));
        }
        return WaitForRoomAsync(item, cancellationToken);
    }

    private async ValueTask WaitForRoomAsync(BackgroundTaskItem item, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            // Shutdown began while this producer waited for room.
            throw StoppedError(ex);
        }
        _metrics.TaskEnqueued(Name);
    }

    private bool TryWrite(BackgroundTaskItem item)
    {
        if (!_channel.Writer.TryWrite(item)) return false;
        _metrics.TaskEnqueued(Name);
        return true;
    }

    private BackgroundTaskQueueStoppedException StoppedError(Exception? inner)
    {
        _metrics.TaskRejected(Name, BackgroundTaskMetricNames.RejectReasonStopped);
        return new BackgroundTaskQueueStoppedException(Name, inner);
    }

    /// <summary>Refuses new tasks from now on (and wakes producers waiting for room with the stopped exception); what
    /// is queued stays readable, so the consumers can drain it.</summary>
    public void StopAccepting()
    {
        _accepting = false;
        _channel.Writer.TryComplete();
    }
}
