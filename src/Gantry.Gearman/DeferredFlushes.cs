namespace Gantry.Gearman;

/// <summary>
/// While one connection's packet is handled synchronously, the packets it produces for other connections (a worker's
/// WORK_COMPLETE for the waiting client, NOOPs for sleeping workers) are flushed right after it on the same thread,
/// instead of each outbox hopping to the thread pool: on a small machine those hops and the wake-ups they cause cost
/// more than the work. The scope is per thread and never spans an await, so an outbox is never left unflushed.
/// </summary>
internal static class DeferredFlushes
{
    [ThreadStatic] private static List<GearmanOutbox>? t_pending;
    [ThreadStatic] private static bool t_active;

    public static Scope Begin()
    {
        t_active = true;
        return default;
    }

    /// <summary>True when the caller runs inside a scope: the flush then happens when the scope ends.</summary>
    public static bool TryDefer(GearmanOutbox outbox)
    {
        if (!t_active) return false;
        (t_pending ??= []).Add(outbox);
        return true;
    }

    public readonly struct Scope : IDisposable
    {
        public void Dispose()
        {
            t_active = false;
            var pending = t_pending;
            if (pending is null || pending.Count == 0) return;
            // Flushing may complete synchronously and run code that sends again; that code sees no scope and takes the
            // thread pool, so the list is not changed while it is read.
            var outboxes = pending.ToArray();
            pending.Clear();
            foreach (var outbox in outboxes) outbox.RunDeferredFlush();
        }
    }
}
