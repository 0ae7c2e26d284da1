using Gantry.Testing;

namespace Gantry.Client.Tests.Support;

/// <summary>
/// A <see cref="ManualTimeProvider"/> that also says when a timer is created, so a test can wait for the code under
/// test to start its timer (the shutdown grace period) before moving the clock, with a signal instead of a poll.
/// </summary>
public sealed class ObservedTimeProvider : TimeProvider
{
    private readonly object _lock = new();
    private readonly List<(TimeSpan DueTime, TaskCompletionSource Created)> _waiters = [];

    public ManualTimeProvider Clock { get; } = new();

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Clock.CreateTimer(callback, state, dueTime, period);
        List<TaskCompletionSource> created;
        lock (_lock)
        {
            created = _waiters.Where(w => w.DueTime == dueTime).Select(w => w.Created).ToList();
            _waiters.RemoveAll(w => w.DueTime == dueTime);
        }
        foreach (var signal in created) signal.TrySetResult();
        return timer;
    }

    /// <summary>Completes when a timer due after <paramref name="dueTime"/> is next created. Call it before the action
    /// that creates the timer.</summary>
    public Task TimerCreated(TimeSpan dueTime)
    {
        var created = Signals.New();
        lock (_lock) _waiters.Add((dueTime, created));
        return created.Task.OrTimeout($"a timer due in {dueTime}");
    }

    public void Advance(TimeSpan by) => Clock.Advance(by);
}
