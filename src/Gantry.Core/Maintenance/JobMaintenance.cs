using Gantry.Core.Engine;
using Gantry.Core.Memory;
using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Gantry.Core.Stats;
using Gantry.Core.Storage;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Maintenance;

/// <summary>
/// The engine's housekeeping as plain operations, over both lanes (the store and the memory lane): make due jobs
/// available, take back expired leases, prune finished jobs. The background services call them on timers; tests call
/// them directly after moving a fake clock, so no test sleeps.
/// </summary>
public sealed class JobMaintenance(IJobStore store, MemoryLane memory, IRecurringStore recurring, FailureRules rules,
    IOptions<GantryEngineOptions> options, TimeProvider time, JobLog? jobLog = null)
{
    private readonly IJobStore[] _lanes = [store, memory];

    /// <summary>Defaults to 1000 jobs per promotion or rescue statement, so one pass never holds locks for long.</summary>
    public const int BatchSize = 1000;

    private readonly GantryEngineOptions _options = options.Value;

    /// <summary>Makes every due scheduled or failed job available; returns how many.</summary>
    public async Task<int> PromoteDueAsync(CancellationToken ct = default)
    {
        var total = 0;
        foreach (var lane in _lanes)
        {
            int promoted;
            do
            {
                promoted = await lane.JobPromoteDue(time.GetUtcNow(), BatchSize, ct).ConfigureAwait(false);
                total += promoted;
            } while (promoted == BatchSize);
        }
        return total;
    }

    /// <summary>When the next scheduled or failed job of either lane falls due, or null when none waits.</summary>
    public async Task<DateTimeOffset?> NextDueAtAsync(CancellationToken ct = default)
    {
        var stored = await store.JobGetNextDueAt(ct).ConfigureAwait(false);
        var inMemory = memory.NextDueAt();
        return stored is null ? inMemory : inMemory is null ? stored : stored < inMemory ? stored : inMemory;
    }

    /// <summary>Takes back jobs whose worker went silent past the lease; returns how many.</summary>
    public async Task<int> RescueExpiredLeasesAsync(CancellationToken ct = default)
    {
        var total = 0;
        foreach (var lane in _lanes) total += await RescueExpiredLeasesAsync(lane, ct).ConfigureAwait(false);
        return total;
    }

    private async Task<int> RescueExpiredLeasesAsync(IJobStore store, CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var now = time.GetUtcNow();
            var expired = await store.JobGetExpiredLeases(now, BatchSize, ct).ConfigureAwait(false);
            if (expired.Count == 0) return total;
            var failures = expired.Select(l => new Failure(l.Id, l.Attempt, FailureKind.LeaseExpired,
                "lease expired: the worker stopped heartbeating (it died, hung, or lost its connection)")).ToList();
            var results = await store.JobSetFailed(failures, rules, now, ct).ConfigureAwait(false);
            jobLog?.Failed(failures, results, now);
            total += results.Count(r => r.Status == LeaseStatus.Ok);
            if (expired.Count < BatchSize) return total;
        }
    }

    /// <summary>Deletes finished jobs older than their retention; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var retention = _options.Retention;
        var total = 0;
        foreach (var lane in _lanes)
        foreach (var (state, keep) in new[]
                 {
                     (JobState.Succeeded, retention.Succeeded),
                     (JobState.Cancelled, retention.Cancelled),
                     (JobState.Dead, retention.Dead),
                 })
        {
            int deleted;
            do
            {
                deleted = await lane.JobDeleteFinished(state, now - keep, retention.PruneBatchSize, ct).ConfigureAwait(false);
                total += deleted;
            } while (deleted == retention.PruneBatchSize);
        }
        // Fire records only guard ticks against firing twice; past their retention no tick of theirs can be due again.
        int fires;
        do
        {
            fires = await recurring.RecurringDeleteFiresBefore(now - retention.RecurringFires, retention.PruneBatchSize, ct).ConfigureAwait(false);
        } while (fires == retention.PruneBatchSize);
        return total;
    }
}
