namespace Gantry.Core.Engine;

/// <summary>
/// A broadcast wake-up: every task that took <see cref="Next"/> before a <see cref="Pulse"/> completes.
/// Take <see cref="Next"/> before checking the condition you wait for, so a pulse in between is not missed.
/// </summary>
public sealed class AsyncPulse
{
    private TaskCompletionSource _next = NewSource();
    private int _observed;

    /// <summary>Completes at the next <see cref="Pulse"/>.</summary>
    public Task Next
    {
        get
        {
            // Read the task first, then raise the flag: a Pulse in between completes nothing we hold, but the flag
            // set afterwards makes the following Pulse complete it. (The other order can lose that following Pulse.)
            var task = Volatile.Read(ref _next).Task;
            Interlocked.Exchange(ref _observed, 1);
            return task;
        }
    }

    /// <summary>Nobody has taken <see cref="Next"/> since the last pulse.</summary>
    public bool IsIdle => Volatile.Read(ref _observed) == 0;

    /// <summary>Wakes everyone waiting on <see cref="Next"/>. Cheap when no one is: no allocation.</summary>
    public void Pulse()
    {
        // Skipping the swap while nobody has looked keeps enqueue-heavy loads from allocating per call.
        if (Interlocked.Exchange(ref _observed, 0) == 0) return;
        Interlocked.Exchange(ref _next, NewSource()).TrySetResult();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
