namespace Gantry.Client.BackgroundTasks;

/// <summary>One queued task. The timestamp (from the queue's <see cref="TimeProvider"/>) is taken when
/// <c>EnqueueAsync</c> is called, so the wait histogram includes any time a producer spent waiting for room: that is
/// the delay the caller's work really saw.</summary>
internal sealed class BackgroundTaskItem(Func<IServiceProvider, CancellationToken, ValueTask> work, string? name, long enqueuedAt)
{
    /// <summary>What logs call a task that was given no name.</summary>
    public const string UnnamedTask = "(unnamed)";

    public Func<IServiceProvider, CancellationToken, ValueTask> Work { get; } = work;
    public string DisplayName { get; } = string.IsNullOrWhiteSpace(name) ? UnnamedTask : name;
    public long EnqueuedAt { get; } = enqueuedAt;
}
