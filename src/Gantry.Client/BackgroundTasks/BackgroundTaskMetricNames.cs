namespace Gantry.Client.BackgroundTasks;

/// <summary>
/// The names the background task queues publish through <c>System.Diagnostics.Metrics</c>, in OpenTelemetry style, so
/// an exporter can subscribe with <c>.AddMeter(BackgroundTaskMetricNames.MeterName)</c>. Every measurement carries the
/// <see cref="QueueTag"/> tag.
/// </summary>
public static class BackgroundTaskMetricNames
{
    public const string MeterName = "Gantry.Client.BackgroundTasks";

    /// <summary>Observable gauge, <c>{task}</c>: tasks waiting to start.</summary>
    public const string QueueDepth = "gantry.background_tasks.queue.depth";
    /// <summary>Counter, <c>{task}</c>: tasks accepted into the queue.</summary>
    public const string Enqueued = "gantry.background_tasks.enqueued";
    /// <summary>Counter, <c>{task}</c>: tasks that returned normally.</summary>
    public const string Completed = "gantry.background_tasks.completed";
    /// <summary>Counter, <c>{task}</c>: tasks that threw (also cancelled at shutdown); tagged with <see cref="ErrorTypeTag"/>.</summary>
    public const string Failed = "gantry.background_tasks.failed";
    /// <summary>Counter, <c>{task}</c>: tasks refused (full queue, or shutting down); tagged with <see cref="RejectReasonTag"/>.</summary>
    public const string Rejected = "gantry.background_tasks.rejected";
    /// <summary>Counter, <c>{task}</c>: queued tasks that never started because the shutdown grace period ran out.</summary>
    public const string Dropped = "gantry.background_tasks.dropped";
    /// <summary>Histogram, <c>ms</c>: from the <c>EnqueueAsync</c> call to the task's start.</summary>
    public const string WaitDuration = "gantry.background_tasks.wait.duration";
    /// <summary>Histogram, <c>ms</c>: from the task's start to its end (success or failure).</summary>
    public const string RunDuration = "gantry.background_tasks.run.duration";

    /// <summary>Tag on every measurement: the queue's name.</summary>
    public const string QueueTag = "gantry.background_tasks.queue";
    /// <summary>Tag on <see cref="Failed"/>: the exception's full type name (OpenTelemetry's <c>error.type</c>).</summary>
    public const string ErrorTypeTag = "error.type";
    /// <summary>Tag on <see cref="Rejected"/>: <see cref="RejectReasonFull"/> or <see cref="RejectReasonStopped"/>.</summary>
    public const string RejectReasonTag = "gantry.background_tasks.reject_reason";
    public const string RejectReasonFull = "full";
    public const string RejectReasonStopped = "stopped";
}
