using System.Collections.Concurrent;
using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Gantry.Core.Queues;
using Gantry.Core.Stats;
using Gantry.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Engine;

/// <summary>
/// The job engine's front door: every front (HTTP, Gearman, the SDK in-process) calls these operations,
/// which validate input, apply defaults and rules, and call the store. Nothing here knows a protocol.
/// </summary>
public sealed class JobEngine
{
    private readonly IJobStore _store;
    private readonly IQueueStore _queues;
    private readonly JobSignals _signals;
    private readonly TimeProvider _time;
    private readonly GantryEngineOptions _options;
    private readonly EnqueueRules _enqueueRules;
    private readonly ILogger<JobEngine> _log;
    private readonly IQueueCountsSource[] _otherQueues;
    private readonly JobLog? _jobLog;
    private readonly ConcurrentDictionary<string, QueueFetcher> _fetchers = new(StringComparer.Ordinal);

    public JobEngine(IStore store, JobSignals signals, IOptions<GantryEngineOptions> options, TimeProvider time,
        FailureRules failureRules, ILogger<JobEngine> log, IEnumerable<IQueueCountsSource>? otherQueues = null, JobLog? jobLog = null)
    {
        _jobLog = jobLog;
        _otherQueues = otherQueues?.ToArray() ?? [];
        _store = store.Jobs;
        _queues = store.Queues;
        StoreCapabilities = store.Capabilities;
        _signals = signals;
        _time = time;
        _options = options.Value;
        _enqueueRules = new EnqueueRules(_options.Limits, _options.Jobs);
        FailureRules = failureRules;
        _log = log;
    }

    public GantryEngineOptions Options => _options;

    public FailureRules FailureRules { get; }

    public StoreCapabilities StoreCapabilities { get; }

    public async Task<EnqueueResult> EnqueueAsync(EnqueueRequest request, CancellationToken ct = default)
    {
        var job = _enqueueRules.Apply(request, _time.GetUtcNow());
        var results = await _store.JobInsertMany([job], ct).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>Enqueues all jobs in one transaction: either every job is stored or none is.</summary>
    public async Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<EnqueueRequest> requests, CancellationToken ct = default)
    {
        if (requests.Count == 0) return [];
        if (requests.Count > _options.Limits.MaxBatchSize)
            throw GantryException.TooLarge("jobs", $"a batch holds at most {_options.Limits.MaxBatchSize} jobs (got {requests.Count}); split it (Gantry:Limits:MaxBatchSize).");
        var now = _time.GetUtcNow();
        var jobs = new NewJob[requests.Count];
        for (var i = 0; i < jobs.Length; i++) jobs[i] = _enqueueRules.Apply(requests[i], now, $"jobs[{i}]");
        return await _store.JobInsertMany(jobs, ct).ConfigureAwait(false);
    }

    public Task<Job?> GetAsync(long id, CancellationToken ct = default) => _store.JobGet(id, ct);

    /// <summary>Waits until the job is finished or <paramref name="timeout"/> passes; returns the job as it is then
    /// (null if there is no such job).</summary>
    public async Task<Job?> WaitAsync(long id, TimeSpan timeout, CancellationToken ct = default)
    {
        CheckWait(timeout, "timeout");
        var deadline = _time.GetUtcNow() + timeout;
        var wait = _signals.WaitFinished(id);
        try
        {
            var job = await _store.JobWatchFinish(id, ct).ConfigureAwait(false);
            while (job is not null && !job.State.IsFinished())
            {
                var left = deadline - _time.GetUtcNow();
                if (left <= TimeSpan.Zero) break;
                // The fallback poll covers a finish announced by another server whose notification was lost.
                var slice = left < _options.Timings.FallbackPollInterval ? left : _options.Timings.FallbackPollInterval;
                using (var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    await Task.WhenAny(wait.Finished, Task.Delay(slice, _time, delayCancel.Token)).ConfigureAwait(false);
                    delayCancel.Cancel();
                }
                ct.ThrowIfCancellationRequested();
                if (wait.Finished.IsCompleted)
                {
                    // A signal is spent once taken; register again in case this one was not the end we wait for.
                    wait.Dispose();
                    wait = _signals.WaitFinished(id);
                }
                job = await _store.JobGet(id, ct).ConfigureAwait(false);
            }
            return job;
        }
        finally
        {
            wait.Dispose();
        }
    }

    public async Task<(CancelOutcome Outcome, Job? Job)> CancelAsync(long id, CancellationToken ct = default)
    {
        var outcome = await _store.JobCancel(id, _time.GetUtcNow(), ct).ConfigureAwait(false);
        var job = outcome == CancelOutcome.NotFound ? null : await _store.JobGet(id, ct).ConfigureAwait(false);
        return (outcome, job);
    }

    public Task<JobPage> ListAsync(JobQuery query, CancellationToken ct = default)
    {
        if (query.Queue is not null) QueueName.Validate(query.Queue);
        if (query.Limit < 1 || query.Limit > JobQuery.MaxLimit)
            throw GantryException.Invalid("limit", $"limit must be between 1 and {JobQuery.MaxLimit} (got {query.Limit}).");
        return _store.JobList(query, ct);
    }

    /// <summary>Leases up to <paramref name="max"/> jobs, waiting up to <paramref name="wait"/> for the first to arrive.</summary>
    public Task<IReadOnlyList<LeasedJob>> FetchAsync(string queue, int max, TimeSpan wait, CancellationToken ct = default)
    {
        QueueName.Validate(queue);
        if (max < 1 || max > _options.Limits.MaxFetchSize)
            throw GantryException.Invalid("max", $"max must be between 1 and {_options.Limits.MaxFetchSize} (got {max}).");
        CheckWait(wait, "wait");
        var fetcher = _fetchers.GetOrAdd(queue, q => new QueueFetcher(q, _store, _signals, _time, FailureRules,
            _options.Timings.FallbackPollInterval, _options.Limits.MaxFetchSize, _log));
        return fetcher.FetchAsync(max, wait, ct);
    }

    public Task<IReadOnlyList<HeartbeatResult>> HeartbeatAsync(IReadOnlyList<LeaseRef> leases, CancellationToken ct = default)
    {
        CheckBatch(leases.Count, "leases");
        return _store.JobExtendLeases(leases, _time.GetUtcNow(), ct);
    }

    public async Task<IReadOnlyList<LeaseStatus>> CompleteAsync(IReadOnlyList<Completion> completions, CancellationToken ct = default)
    {
        CheckBatch(completions.Count, "completions");
        for (var i = 0; i < completions.Count; i++)
        {
            if (completions[i].Result is { Length: var n } && n > _options.Limits.MaxResultBytes)
                throw GantryException.TooLarge($"completions[{i}].result",
                    $"the result is {n} bytes; the limit is {_options.Limits.MaxResultBytes} (Gantry:Limits:MaxResultBytes).");
        }
        var now = _time.GetUtcNow();
        var results = await _store.JobSetCompleted(completions, now, ct).ConfigureAwait(false);
        _jobLog?.Completed(completions, results, now);
        var statuses = new LeaseStatus[results.Count];
        for (var i = 0; i < statuses.Length; i++) statuses[i] = results[i].Status;
        return statuses;
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

    /// <summary>Gives leased jobs back unstarted (on shutdown, say): available again at once, attempt not counted.</summary>
    public Task<IReadOnlyList<FailureResult>> ReleaseAsync(IReadOnlyList<LeaseRef> leases, CancellationToken ct = default)
    {
        CheckBatch(leases.Count, "leases");
        var failures = leases.Select(l => new Failure(l.Id, l.Attempt, FailureKind.Released, "released by the worker")).ToList();
        return SetFailedAsync(failures, ct);
    }

    private async Task<IReadOnlyList<FailureResult>> SetFailedAsync(IReadOnlyList<Failure> failures, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var results = await _store.JobSetFailed(failures, FailureRules, now, ct).ConfigureAwait(false);
        _jobLog?.Failed(failures, results, now);
        return results;
    }

    /// <summary>The store's queues alone, for a front that adds its own in-memory counts itself.</summary>
    public Task<IReadOnlyList<QueueSummary>> ListStoredQueuesAsync(CancellationToken ct = default) => _queues.QueueList(ct);

    /// <summary>The store's queues and the in-memory lanes' queues; a name in both is one queue with the counts added.</summary>
    public async Task<IReadOnlyList<QueueSummary>> ListQueuesAsync(CancellationToken ct = default)
    {
        var stored = await _queues.QueueList(ct).ConfigureAwait(false);
        if (_otherQueues.Length == 0) return stored;
        var merged = stored.ToDictionary(q => q.Name, StringComparer.Ordinal);
        foreach (var source in _otherQueues)
        {
            foreach (var q in source.QueueCounts())
            {
                merged[q.Name] = merged.TryGetValue(q.Name, out var s)
                    ? s with
                    {
                        Counts = JobStates.All.ToDictionary(st => st, st => s.Counts.GetValueOrDefault(st) + q.Counts.GetValueOrDefault(st)),
                        OldestAvailableSince = Earliest(s.OldestAvailableSince, q.OldestAvailableSince),
                    }
                    : q;
            }
        }
        return merged.Values.OrderBy(q => q.Name, StringComparer.Ordinal).ToList();
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a < b ? a : b;

    public Task SetQueuePausedAsync(string queue, bool paused, CancellationToken ct = default) =>
        _queues.QueueSetPaused(QueueName.Validate(queue), paused, _time.GetUtcNow(), ct);

    private void CheckWait(TimeSpan wait, string field)
    {
        if (wait < TimeSpan.Zero || wait > _options.Limits.MaxWait)
            throw GantryException.Invalid(field, $"{field} must be between 0 and {_options.Limits.MaxWait.TotalSeconds:0} seconds (got {wait.TotalSeconds:0.###}).");
    }

    private void CheckBatch(int count, string field)
    {
        if (count > _options.Limits.MaxBatchSize)
            throw GantryException.TooLarge(field, $"at most {_options.Limits.MaxBatchSize} items per call (got {count}).");
    }
}
