using System.Collections.Concurrent;
using Gantry.Core.Jobs;
using Gantry.Core.Memory;
using Gantry.Core.Options;
using Gantry.Core.Queues;
using Gantry.Core.Stats;
using Gantry.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Engine;

/// <summary>
/// The job engine's front door: every front (HTTP, Gearman, the SDK in-process) calls these operations, which validate
/// input, apply defaults and rules, and call the lane that holds the queue: the durable store or the memory lane, by
/// the queue's lane setting (<see cref="QueueSettings"/>). Operations on one job go to the lane its id belongs to
/// (<see cref="MemoryJobIds"/>). Nothing here knows a protocol. The operations are split by concern: jobs here,
/// workers' leases in JobEngine.Leases.cs, queues in JobEngine.Queues.cs, the memory lane's synchronous calls in
/// JobEngine.Memory.cs.
/// </summary>
public sealed partial class JobEngine
{
    private readonly IJobStore _store;
    private readonly IQueueStore _queues;
    private readonly MemoryLane _memory;
    private readonly JobSignals _signals;
    private readonly TimeProvider _time;
    private readonly GantryEngineOptions _options;
    private readonly EnqueueRules _enqueueRules;
    private readonly ILogger<JobEngine> _log;
    private readonly JobLog? _jobLog;
    private readonly ConcurrentDictionary<string, QueueFetcher> _durableFetchers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, QueueFetcher> _memoryFetchers = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public JobEngine(IStore store, MemoryLane memory, QueueSettings settings, JobSignals signals, IOptions<GantryEngineOptions> options,
        TimeProvider time, FailureRules failureRules, ILogger<JobEngine> log, JobLog? jobLog = null)
    {
        _jobLog = jobLog;
        _store = store.Jobs;
        _queues = store.Queues;
        _memory = memory;
        Settings = settings;
        StoreCapabilities = store.Capabilities;
        _signals = signals;
        _time = time;
        _options = options.Value;
        _enqueueRules = new EnqueueRules(_options.Limits, _options.Jobs);
        FailureRules = failureRules;
        _log = log;
        signals.QueueSettingsChanged += OnQueueSettingsChanged;
    }

    public GantryEngineOptions Options => _options;

    public FailureRules FailureRules { get; }

    public StoreCapabilities StoreCapabilities { get; }

    /// <summary>Every queue's lane and pause, as this server last read them.</summary>
    public QueueSettings Settings { get; }

    /// <summary>The memory lane, for reads a protocol front needs beside the engine's operations (Gearman's admin counts).</summary>
    public MemoryLane Memory => _memory;

    /// <summary>The server is stopping: long polls are answered now (see <see cref="Stop"/>).</summary>
    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>
    /// Answers every open fetch (empty) and every open wait (the job as it is) at once, and from now on answers new ones
    /// without waiting, so a stopping server is not held open by workers long-polling it (the host waits for in-flight
    /// requests before it exits). Jobs already leased are unaffected: their workers still report them.
    /// </summary>
    public void Stop()
    {
        if (_stopping.IsCancellationRequested) return;
        _stopping.Cancel();
        foreach (var fetcher in _durableFetchers.Values) fetcher.Stop();
        foreach (var fetcher in _memoryFetchers.Values) fetcher.Stop();
    }

    private IJobStore LaneOf(string queue) => Settings.IsMemory(queue) ? _memory : _store;

    private IJobStore LaneOf(long id) => MemoryJobIds.IsMemory(id) ? _memory : _store;

    public async Task<EnqueueResult> EnqueueAsync(EnqueueRequest request, CancellationToken ct = default)
    {
        var job = _enqueueRules.Apply(request, _time.GetUtcNow());
        if (Settings.IsMemory(job.Queue)) return _memory.Insert(job);
        var results = await _store.JobInsertMany([job], ct).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>Enqueues all jobs in one transaction: either every job is stored or none is. A batch goes to one lane: a
    /// transaction cannot span the store and memory.</summary>
    public async Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(IReadOnlyList<EnqueueRequest> requests, CancellationToken ct = default)
    {
        if (requests.Count == 0) return [];
        if (requests.Count > _options.Limits.MaxBatchSize)
            throw GantryException.TooLarge("jobs", $"a batch holds at most {_options.Limits.MaxBatchSize} jobs (got {requests.Count}); split it (Gantry:Limits:MaxBatchSize).");
        var now = _time.GetUtcNow();
        var jobs = new NewJob[requests.Count];
        for (var i = 0; i < jobs.Length; i++) jobs[i] = _enqueueRules.Apply(requests[i], now, $"jobs[{i}]");
        var memory = Settings.IsMemory(jobs[0].Queue);
        for (var i = 1; i < jobs.Length; i++)
        {
            if (Settings.IsMemory(jobs[i].Queue) != memory)
                throw GantryException.Invalid($"jobs[{i}].queue",
                    $"'{jobs[i].Queue}' is in the {LaneName(!memory)} lane and '{jobs[0].Queue}' in the {LaneName(memory)} lane: a batch is " +
                    "stored all or nothing, which cannot span both lanes; send one batch per lane.");
        }
        return memory ? _memory.InsertMany(jobs) : await _store.JobInsertMany(jobs, ct).ConfigureAwait(false);
    }

    private static string LaneName(bool memory) => memory ? QueueLanes.Memory : QueueLanes.Durable;

    public Task<Job?> GetAsync(long id, CancellationToken ct = default) => LaneOf(id).JobGet(id, ct);

    /// <summary>Waits until the job is finished or <paramref name="timeout"/> passes; returns the job as it is then
    /// (null if there is no such job).</summary>
    public async Task<Job?> WaitAsync(long id, TimeSpan timeout, CancellationToken ct = default)
    {
        CheckWait(timeout, "timeout");
        var lane = LaneOf(id);
        var deadline = _time.GetUtcNow() + timeout;
        var wait = _signals.WaitFinished(id);
        try
        {
            var job = await lane.JobWatchFinish(id, ct).ConfigureAwait(false);
            while (job is not null && !job.State.IsFinished() && !IsStopping)
            {
                var left = deadline - _time.GetUtcNow();
                if (left <= TimeSpan.Zero) break;
                // The fallback poll covers a finish announced by another server whose notification was lost.
                var slice = left < _options.Timings.FallbackPollInterval ? left : _options.Timings.FallbackPollInterval;
                using (var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token))
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
                job = await lane.JobGet(id, ct).ConfigureAwait(false);
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
        var lane = LaneOf(id);
        var outcome = await lane.JobCancel(id, _time.GetUtcNow(), ct).ConfigureAwait(false);
        var job = outcome == CancelOutcome.NotFound ? null : await lane.JobGet(id, ct).ConfigureAwait(false);
        return (outcome, job);
    }

    /// <summary>Jobs newest first from both lanes (a queue's lane may have changed; its old jobs are still listed).</summary>
    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken ct = default)
    {
        if (query.Queue is not null) QueueName.Validate(query.Queue);
        if (query.Limit < 1 || query.Limit > JobQuery.MaxLimit)
            throw GantryException.Invalid("limit", $"limit must be between 1 and {JobQuery.MaxLimit} (got {query.Limit}).");
        var memory = _memory.List(query);
        // Memory ids are above every stored id, so a page starts with the memory lane's jobs; one full of them needs
        // nothing from the store.
        if (memory.Next is not null) return memory;
        if (memory.Jobs.Count == 0) return await _store.JobList(query, ct).ConfigureAwait(false);
        var room = query.Limit - memory.Jobs.Count;
        var stored = await _store.JobList(query with { Limit = Math.Max(1, room) }, ct).ConfigureAwait(false);
        var jobs = memory.Jobs.Concat(stored.Jobs.Take(room)).ToList();
        var more = stored.Jobs.Count > room || stored.Next is not null;
        return new JobPage(jobs, more ? jobs[^1].Id : null);
    }

    private void CheckWait(TimeSpan wait, string field) => TimeRange.Wait(_options.Limits).Check(wait, field);

    private void CheckBatch(int count, string field)
    {
        if (count > _options.Limits.MaxBatchSize)
            throw GantryException.TooLarge(field, $"at most {_options.Limits.MaxBatchSize} items per call (got {count}).");
    }
}
