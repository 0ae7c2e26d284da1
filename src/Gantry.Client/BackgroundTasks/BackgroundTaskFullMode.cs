namespace Gantry.Client.BackgroundTasks;

/// <summary>What <see cref="IBackgroundTaskQueue.EnqueueAsync(Func{IServiceProvider, CancellationToken, ValueTask}, CancellationToken)"/>
/// does when the queue already holds <see cref="BackgroundTaskOptions.Capacity"/> tasks waiting to start.</summary>
public enum BackgroundTaskFullMode
{
    /// <summary>Wait for room (honouring the caller's token): backpressure slows the producer down instead of losing work
    /// or growing memory without bound. Right for producers that can afford to wait (a batch loop, a consumer of messages).</summary>
    Wait,

    /// <summary>Throw <see cref="BackgroundTaskQueueFullException"/> at once: right on a request path that must not
    /// hang, where the caller would rather answer "try again later" (HTTP 503) than hold the request open.</summary>
    Reject,
}
