using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Maintenance;
using Microsoft.Extensions.Logging;

namespace Gantry.Core.Stats;

/// <summary>Looks at every queue's delay every <see cref="StatsOptions.CheckInterval"/>, so a queue that falls behind
/// (or catches up) is logged even when nobody reads the statistics (in memory only: no store query); and now and then
/// (<see cref="StatsOptions.ExpiryCheckInterval"/>, or every check while at <see cref="StatsOptions.MaxQueues"/>) forgets
/// the figures of idle queues that have no unfinished job and no worker, asking the store for the counts only when
/// some queue is idle.</summary>
public sealed class StatsMonitor(JobStats stats, JobEngine engine, IEnumerable<IQueueWorkers> workers, TimeProvider time,
    ILogger<StatsMonitor> log) : MaintenanceLoop(time, log)
{
    private readonly IQueueWorkers[] _workers = workers.ToArray();
    private DateTimeOffset _nextExpiry = time.GetUtcNow() + stats.Options.ExpiryCheckInterval;

    protected override async Task<Task> RunOnceAsync(CancellationToken ct)
    {
        if (stats.Options.WarningEnabled) stats.Check();
        var now = Time.GetUtcNow();
        if (now >= _nextExpiry || stats.AtLimit)
        {
            // Set first: with the store away the next look is still an interval off, not every retry.
            _nextExpiry = now + stats.Options.ExpiryCheckInterval;
            await ForgetIdleQueuesAsync(ct).ConfigureAwait(false);
        }
        var wait = stats.Options.ExpiryCheckInterval < stats.Options.CheckInterval ? stats.Options.ExpiryCheckInterval : stats.Options.CheckInterval;
        return Task.Delay(wait, Time, ct);
    }

    /// <summary>Forgets the idle queues that are not in use: no unfinished job in either lane, no worker connected.</summary>
    internal async Task<int> ForgetIdleQueuesAsync(CancellationToken ct)
    {
        var idle = stats.IdleQueues(out var idleBefore);
        if (idle.Count == 0) return 0;
        var inUse = new HashSet<string>(StringComparer.Ordinal);
        foreach (var queue in await engine.ListQueuesAsync(ct).ConfigureAwait(false))
            if (JobStates.All.Any(s => s.IsLive() && queue.Counts.GetValueOrDefault(s) > 0)) inUse.Add(queue.Name);
        var forgotten = 0;
        foreach (var name in idle)
        {
            if (inUse.Contains(name) || Array.Exists(_workers, w => w.HasWorkers(name))) continue;
            if (stats.Forget(name, idleBefore)) forgotten++;
        }
        return forgotten;
    }
}
