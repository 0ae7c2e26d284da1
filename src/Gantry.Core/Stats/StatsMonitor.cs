using Gantry.Core.Maintenance;
using Microsoft.Extensions.Logging;

namespace Gantry.Core.Stats;

/// <summary>Looks at every queue's delay every <see cref="StatsOptions.CheckInterval"/>, so a queue that falls behind
/// (or catches up) is logged even when nobody reads the statistics. In memory only: no store query.</summary>
public sealed class StatsMonitor(JobStats stats, TimeProvider time, ILogger<StatsMonitor> log) : MaintenanceLoop(time, log)
{
    protected override Task<Task> RunOnceAsync(CancellationToken ct)
    {
        if (!stats.Options.WarningEnabled) return Task.FromResult(Task.Delay(Timeout.InfiniteTimeSpan, Time, ct));
        stats.Check();
        return Task.FromResult(Task.Delay(stats.Options.CheckInterval, Time, ct));
    }
}
