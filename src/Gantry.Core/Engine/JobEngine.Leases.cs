using System.Collections.Concurrent;
using Gantry.Core.Jobs;
using Gantry.Core.Memory;
using Gantry.Core.Queues;
using Gantry.Core.Storage;

namespace Gantry.Core.Engine;

/// <summary>The worker's side: fetch (lease), heartbeat, complete, fail, release. Reports name leases by job id, so each
/// goes to the lane that owns the job; a batch that spans both lanes is split and answered in its order.</summary>
public sealed partial class JobEngine
{
    /// <summary>Leases up to <paramref name="max"/> jobs, waiting up to <paramref name="wait"/> for the first to arrive.</summary>
    public Task<IReadOnlyList<LeasedJob>> FetchAsync(string queue, int max, TimeSpan wait, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        if (max < 1 || max > _options.Limits.MaxFetchSize)
            throw GantryException.Invalid("max", $"max must be between 1 and {_options.Limits.MaxFetchSize} (got {max}).");
        CheckWait(wait, "wait");
        // A stopping server hands out no more work; an empty answer sends the worker to its next try elsewhere.
        if (IsStopping) return Task.FromResult<IReadOnlyList<LeasedJob>>([]);
        var memory = Settings.IsMemory(queue);
        if (memory && wait == TimeSpan.Zero) return Task.FromResult(_memory.Lease(queue, max, _time.GetUtcNow()));
        var fetchers = memory ? _memoryFetchers : _durableFetchers;
        IJobStore lane = memory ? _memory : _store;
        while (true)
        {
            var fetcher = fetchers.GetOrAdd(queue, q => new QueueFetcher(q, lane, _signals, _time, FailureRules,
                _options.Timings.FallbackPollInterval, _options.Limits.MaxFetchSize, _log, _stopping.Token));
            if (fetcher.FetchAsync(max, wait, ct) is { } fetched) return fetched;
            fetchers.TryRemove(new KeyValuePair<string, QueueFetcher>(queue, fetcher)); // retired just now: take a new one
        }
    }

    /// <summary>Long polls parked on this server for <paramref name="queue"/>.</summary>
    public int WaitingFetches(string queue) =>
        (_durableFetchers.TryGetValue(queue, out var d) ? d.Waiting : 0) + (_memoryFetchers.TryGetValue(queue, out var m) ? m.Waiting : 0);

    /// <summary>Queues this server keeps a fetch loop for (both lanes).</summary>
    public int FetchLoops => _durableFetchers.Count + _memoryFetchers.Count;

    /// <summary>Forgets the fetch loops of queues nobody is fetching from now (housekeeping calls it on a timer): queue
    /// names come from clients, and each one fetched would otherwise keep its loop's state for ever.</summary>
    public int ForgetIdleFetchers()
    {
        var forgotten = 0;
        foreach (var fetchers in (ReadOnlySpan<ConcurrentDictionary<string, QueueFetcher>>)[_durableFetchers, _memoryFetchers])
        {
            foreach (var (queue, fetcher) in fetchers)
            {
                if (fetcher.TryRetire() && fetchers.TryRemove(new KeyValuePair<string, QueueFetcher>(queue, fetcher))) forgotten++;
            }
        }
        return forgotten;
    }

    public Task<IReadOnlyList<HeartbeatResult>> HeartbeatAsync(IReadOnlyList<LeaseRef> leases, CancellationToken ct = default)
    {
        CheckBatch(leases.Count, "leases");
        var now = _time.GetUtcNow();
        return ByLane(leases, l => l.Id, (lane, part) => lane.JobExtendLeases(part, now, ct));
    }

    public async Task<IReadOnlyList<LeaseStatus>> CompleteAsync(IReadOnlyList<Completion> completions, CancellationToken ct = default)
    {
        CheckBatch(completions.Count, "completions");
        for (var i = 0; i < completions.Count; i++) CheckResult(completions[i], $"completions[{i}].result");
        var now = _time.GetUtcNow();
        var results = await ByLane(completions, c => c.Id, (lane, part) => lane.JobSetCompleted(part, now, ct)).ConfigureAwait(false);
        _jobLog?.Completed(completions, results, now);
        var statuses = new LeaseStatus[results.Count];
        for (var i = 0; i < statuses.Length; i++) statuses[i] = results[i].Status;
        return statuses;
    }

    private void CheckResult(in Completion completion, string field)
    {
        if (completion.Result is { Length: var n } && n > _options.Limits.MaxResultBytes)
            throw GantryException.TooLarge(field, $"the result is {n} bytes; the limit is {_options.Limits.MaxResultBytes} (Gantry:Limits:MaxResultBytes).");
    }

    /// <summary>Records failed attempts: retried with backoff, dead when attempts are spent or the worker discards the job.</summary>
    public async Task<IReadOnlyList<FailureResult>> FailAsync(IReadOnlyList<Failure> failures, CancellationToken ct = default)
    {
        CheckBatch(failures.Count, "failures");
        for (var i = 0; i < failures.Count; i++)
        {
            if (failures[i].Kind == FailureKind.LeaseExpired)
                throw GantryException.Invalid($"failures[{i}]", "only the server declares a lease expired.");
        }
        return await SetFailedAsync(failures, ct).ConfigureAwait(false);
    }

    /// <summary>Gives leased jobs back unstarted (on shutdown, say): available again at once, first in line, the attempt
    /// not counted.</summary>
    public Task<IReadOnlyList<FailureResult>> ReleaseAsync(IReadOnlyList<LeaseRef> leases, CancellationToken ct = default)
    {
        CheckBatch(leases.Count, "leases");
        var failures = leases.Select(l => new Failure(l.Id, l.Attempt, FailureKind.Released, "released by the worker")).ToList();
        return SetFailedAsync(failures, ct);
    }

    private async Task<IReadOnlyList<FailureResult>> SetFailedAsync(IReadOnlyList<Failure> failures, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var results = await ByLane(failures, f => f.Id, (lane, part) => lane.JobSetFailed(part, FailureRules, now, ct)).ConfigureAwait(false);
        _jobLog?.Failed(failures, results, now);
        return results;
    }

    /// <summary>Runs <paramref name="run"/> on each lane with its share of <paramref name="items"/>; the results come back in
    /// the items' order. The usual call names one lane only and is passed through whole.</summary>
    private async Task<IReadOnlyList<TResult>> ByLane<TItem, TResult>(IReadOnlyList<TItem> items, Func<TItem, long> id,
        Func<IJobStore, IReadOnlyList<TItem>, Task<IReadOnlyList<TResult>>> run)
    {
        var memory = 0;
        for (var i = 0; i < items.Count; i++)
            if (MemoryJobIds.IsMemory(id(items[i]))) memory++;
        if (memory == 0) return await run(_store, items).ConfigureAwait(false);
        if (memory == items.Count) return await run(_memory, items).ConfigureAwait(false);

        var memoryItems = new List<TItem>(memory);
        var storeItems = new List<TItem>(items.Count - memory);
        foreach (var item in items) (MemoryJobIds.IsMemory(id(item)) ? memoryItems : storeItems).Add(item);
        var fromMemory = await run(_memory, memoryItems).ConfigureAwait(false);
        var fromStore = await run(_store, storeItems).ConfigureAwait(false);
        var results = new TResult[items.Count];
        int m = 0, s = 0;
        for (var i = 0; i < items.Count; i++) results[i] = MemoryJobIds.IsMemory(id(items[i])) ? fromMemory[m++] : fromStore[s++];
        return results;
    }
}
