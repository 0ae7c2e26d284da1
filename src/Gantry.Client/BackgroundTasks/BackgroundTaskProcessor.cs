using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Client.BackgroundTasks;

/// <summary>
/// The consumer side of one queue, as a hosted service: <see cref="BackgroundTaskOptions.Consumers"/> loops on the
/// thread pool, each running one task at a time in its own DI scope. At shutdown it stops the queue accepting, lets
/// the consumers drain it for the grace period, then fires the tasks' token and drops what never started.
/// </summary>
internal sealed class BackgroundTaskProcessor(BackgroundTaskQueue queue, IServiceScopeFactory scopes, BackgroundTaskMetrics metrics, ILogger log)
    : IHostedService, IDisposable
{
    /// <summary>The token every task sees: fired only when the grace period ends with work left, so a task that
    /// finishes in time is never interrupted.</summary>
    private readonly CancellationTokenSource _shutdown = new();
    private Task[] _consumers = [];
    private int _running;
    private int _dropped;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = queue.Options;
        // Task.Run: a consumer must never run its first task on the thread that is starting the host.
        _consumers = Enumerable.Range(0, options.Consumers).Select(_ => Task.Run(ConsumeAsync, CancellationToken.None)).ToArray();
        log.LogInformation("Background task queue {Queue} started: {Consumers} consumers, capacity {Capacity}, when full {FullMode}",
            queue.Name, options.Consumers, options.Capacity, options.FullMode);
        return Task.CompletedTask;
    }

    private async Task ConsumeAsync()
    {
        var reader = queue.Reader;
        try
        {
            // Ends when the queue has stopped accepting and is empty (drained), or when the grace period ran out.
            while (await reader.WaitToReadAsync(_shutdown.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var task))
                {
                    if (_shutdown.IsCancellationRequested)
                    {
                        // Taken in the instant the grace period ended: it never started, so it counts as dropped.
                        Interlocked.Increment(ref _dropped);
                        return;
                    }
                    await RunAsync(task).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
        {
        }
    }

    private async Task RunAsync(BackgroundTaskItem task)
    {
        var started = queue.Time.GetTimestamp();
        metrics.WaitEnded(queue.Name, queue.Time.GetElapsedTime(task.EnqueuedAt, started));
        Interlocked.Increment(ref _running);
        Exception? failure = null;
        try
        {
            // The scope is disposed inside the try: a scoped service whose Dispose throws fails this task, not the consumer.
            await using var scope = scopes.CreateAsyncScope();
            await task.Work(scope.ServiceProvider, _shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (_shutdown.IsCancellationRequested)
        {
            failure = ex;
            log.LogWarning("Background task {TaskName} on queue {Queue} was cancelled: the shutdown grace period of {GracePeriod} ended before it finished",
                task.DisplayName, queue.Name, queue.Options.ShutdownGracePeriod);
        }
        catch (Exception ex)
        {
            // Catching everything is the point: one bad task must never take a consumer (and the queue) down with it.
            failure = ex;
            log.LogError(ex, "Background task {TaskName} on queue {Queue} failed", task.DisplayName, queue.Name);
        }
        Interlocked.Decrement(ref _running);
        // Histograms before counters: whoever sees the counter move also finds the duration recorded.
        metrics.RunEnded(queue.Name, queue.Time.GetElapsedTime(started));
        if (failure is null) metrics.TaskCompleted(queue.Name);
        else metrics.TaskFailed(queue.Name, failure);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        queue.StopAccepting();
        var grace = queue.Options.ShutdownGracePeriod;
        if (_consumers.Length == 0)
        {
            // Never started (the host failed to start): nothing will run what is queued.
            DropQueued();
            ReportStoppedWithWorkLeft(cancelled: 0, grace);
            return;
        }
        log.LogInformation("Background task queue {Queue} stopped accepting tasks; draining {Queued} queued and {Running} running tasks within {GracePeriod}",
            queue.Name, queue.Count, Volatile.Read(ref _running), grace);

        var consumersDone = Task.WhenAll(_consumers);
        using (var graceTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            // The host's token ends the grace period early if the host's own shutdown timeout is shorter.
            var graceEnds = Task.Delay(grace, queue.Time, graceTimer.Token);
            await Task.WhenAny(consumersDone, graceEnds).ConfigureAwait(false);
            await graceTimer.CancelAsync().ConfigureAwait(false);
        }
        if (consumersDone.IsCompleted)
        {
            log.LogInformation("Background task queue {Queue} drained", queue.Name);
            return;
        }

        var cancelled = Volatile.Read(ref _running);
        // CancelAsync: the tasks' cancellation callbacks run off this thread, so a task reacting slowly cannot hold it.
        var cancelling = _shutdown.CancelAsync();
        DropQueued();
        try
        {
            await Task.WhenAll(cancelling, consumersDone).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            log.LogWarning("Background task queue {Queue}: {Running} tasks still running ignored their cancellation; the host no longer waits for them",
                queue.Name, Volatile.Read(ref _running));
        }
        ReportStoppedWithWorkLeft(cancelled, grace);
    }

    private void DropQueued()
    {
        while (queue.Reader.TryRead(out _)) Interlocked.Increment(ref _dropped);
    }

    /// <summary>Read after the consumers ended: a consumer may itself have dropped the task it took as the grace period ended.</summary>
    private void ReportStoppedWithWorkLeft(int cancelled, TimeSpan grace)
    {
        var dropped = Volatile.Read(ref _dropped);
        metrics.TasksDropped(queue.Name, dropped);
        if (dropped == 0 && cancelled == 0) return;
        log.LogWarning("Background task queue {Queue} stopped with work left (shutdown grace period {GracePeriod}): dropped {Dropped} queued tasks that never started and cancelled {Cancelled} running tasks",
            queue.Name, grace, dropped, cancelled);
    }

    public void Dispose() => _shutdown.Dispose();
}
