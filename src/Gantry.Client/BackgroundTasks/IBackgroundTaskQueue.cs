namespace Gantry.Client.BackgroundTasks;

/// <summary>
/// Hands work to a bounded pool of background consumers inside this process, so a request can answer now and the work
/// runs after it (the "background task" pattern). Each task runs in its own DI scope and receives a token that fires
/// when the app shuts down past <see cref="BackgroundTaskOptions.ShutdownGracePeriod"/>.
/// <para>Nothing here is durable: queued tasks are lost if the process crashes or is redeployed, and a failed task is
/// logged, not retried. Work that must happen belongs in a Gantry job.</para>
/// <para>Tasks run on the app's shared thread pool: keep them asynchronous, since a task that blocks (synchronous I/O,
/// <c>.Result</c>) holds a thread that requests need. Do not await <c>EnqueueAsync</c> into the same queue from one of
/// its own tasks when <see cref="BackgroundTaskOptions.FullMode"/> is Wait: with the queue full and every consumer
/// waiting, nothing makes room. Use <see cref="TryEnqueue(Func{IServiceProvider, CancellationToken, ValueTask})"/> there.</para>
/// <para>Register with <c>services.AddGantryBackgroundTasks(o => …)</c> and inject <see cref="IBackgroundTaskQueue"/>;
/// a named queue (<c>AddGantryBackgroundTasks("reports", o => …)</c>) is a keyed service:
/// <c>[FromKeyedServices("reports")] IBackgroundTaskQueue reports</c>.</para>
/// </summary>
public interface IBackgroundTaskQueue
{
    /// <summary>The queue's name, as in logs and metric tags.</summary>
    string Name { get; }

    /// <summary>How many tasks may wait to start (<see cref="BackgroundTaskOptions.Capacity"/>).</summary>
    int Capacity { get; }

    /// <summary>Tasks waiting to start now (not counting running ones).</summary>
    int Count { get; }

    /// <summary>Queues <paramref name="work"/>. When the queue is full, waits for room (honouring
    /// <paramref name="cancellationToken"/>) or throws <see cref="BackgroundTaskQueueFullException"/>, by
    /// <see cref="BackgroundTaskOptions.FullMode"/>. Throws <see cref="BackgroundTaskQueueStoppedException"/> once
    /// the app is shutting down. The token only bounds the wait for room; it does not reach the task.</summary>
    /// <param name="work">The task: gets its scope's service provider and the shutdown token.</param>
    /// <param name="cancellationToken">Gives up waiting for room.</param>
    ValueTask EnqueueAsync(Func<IServiceProvider, CancellationToken, ValueTask> work, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="EnqueueAsync(Func{IServiceProvider, CancellationToken, ValueTask}, CancellationToken)"/>
    /// <param name="taskName">Names the task in logs (a failure says which task failed).</param>
    /// <param name="work">The task: gets its scope's service provider and the shutdown token.</param>
    /// <param name="cancellationToken">Gives up waiting for room.</param>
    ValueTask EnqueueAsync(string taskName, Func<IServiceProvider, CancellationToken, ValueTask> work, CancellationToken cancellationToken = default);

    /// <summary>Queues <paramref name="work"/> if there is room now, whatever <see cref="BackgroundTaskOptions.FullMode"/>
    /// says; returns false (never waits, never throws) when the queue is full or the app is shutting down.</summary>
    bool TryEnqueue(Func<IServiceProvider, CancellationToken, ValueTask> work);

    /// <inheritdoc cref="TryEnqueue(Func{IServiceProvider, CancellationToken, ValueTask})"/>
    /// <param name="taskName">Names the task in logs.</param>
    /// <param name="work">The task: gets its scope's service provider and the shutdown token.</param>
    bool TryEnqueue(string taskName, Func<IServiceProvider, CancellationToken, ValueTask> work);
}
