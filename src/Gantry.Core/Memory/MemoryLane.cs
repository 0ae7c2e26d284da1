using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Gantry.Core.Queues;
using Gantry.Core.Storage;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Memory;

/// <summary>
/// The in-memory lane: a job store with no I/O, for queues whose jobs may be lost when the server stops in exchange
/// for speed (Gearman's model). It implements the same ports as the durable stores, with the same job rules (the
/// engine's <see cref="FailureRules"/>, unique keys, leases, the job log), and runs through the same conformance suite;
/// every front reaches it through the engine, and the Gearman front also calls the synchronous operations below on its
/// hot path. One lock guards everything; every operation is short (heaps and dictionaries), and what it changed is
/// announced to the notifier after the lock is released.
/// </summary>
/// <remarks>
/// Ids are <see cref="MemoryJobIds"/>: above 2^52, never those of a stored job, so an id alone says which lane owns the
/// job. The lane is node-local: with several servers on one PostgreSQL, each has its own. Finished jobs are kept for
/// reading (a submit-and-wait, a look at a result) up to <see cref="MemoryLaneOptions.KeepFinished"/> and their
/// retention time, whichever ends first.
/// </remarks>
public sealed partial class MemoryLane : IJobStore, IQueueStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, MemoryJob> _jobs = new();
    private readonly Dictionary<string, MemoryQueue> _queues = new(StringComparer.Ordinal);
    private readonly HashSet<string> _paused = new(StringComparer.Ordinal);
    /// <summary>Lane settings, kept only so the lane answers the queues port like a store (the engine keeps the real ones).</summary>
    private readonly Dictionary<string, string> _lanes = new(StringComparer.Ordinal);
    /// <summary>Scheduled and failed jobs by run_at.</summary>
    private readonly PriorityQueue<(MemoryJob Job, int Stamp), long> _due = new();
    /// <summary>Running jobs. Few (the workers' share), so the lease check scans them: a heap of lease ends would take an
    /// entry per heartbeat and hold them all until they expire.</summary>
    private readonly LinkedList<MemoryJob> _running = new();
    /// <summary>Finished jobs kept for reading, oldest first: those someone waits for (<see cref="MemoryJob.Watched"/>)
    /// in one list, the rest in a shorter one. Unwatched jobs are kept briefly on purpose: a job that outlives a few
    /// garbage collections is promoted and costs a full collection to free, and at tens of thousands of jobs a second
    /// a long tail of finished jobs nobody will read was a large share of the lane's cost.</summary>
    private readonly LinkedList<MemoryJob> _finished = new();
    private readonly LinkedList<MemoryJob> _finishedWatched = new();
    private readonly INotifier _notifier;
    private readonly MemoryLaneOptions _options;
    private long _nextId;
    private long _liveJobs;

    [ThreadStatic] private static ChangeSet? t_changes;

    public MemoryLane(INotifier notifier, IOptions<GantryEngineOptions> options, TimeProvider time)
    {
        _notifier = notifier;
        _options = options.Value.MemoryLane;
        _nextId = MemoryJobIds.FirstAfterStart(time.GetUtcNow()) - 1;
    }

    public static StoreCapabilities Capabilities { get; } = new("memory", SupportsListener: false);

    /// <summary>Live (unfinished) jobs across every memory queue.</summary>
    public long LiveJobs
    {
        get { lock (_gate) return _liveJobs; }
    }

    // ---- enqueue ------------------------------------------------------------------------------------------------

    /// <summary>Inserts one job, or returns the live job of its queue that holds its unique key.</summary>
    public EnqueueResult Insert(in NewJob job)
    {
        var changes = TakeChanges();
        EnqueueResult result;
        lock (_gate)
        {
            if (_liveJobs >= _options.MaxJobs) throw Full();
            result = InsertLocked(job, changes);
        }
        Announce(changes);
        return result;
    }

    /// <summary>All or none: the capacity is checked for the whole list first.</summary>
    public IReadOnlyList<EnqueueResult> InsertMany(IReadOnlyList<NewJob> jobs)
    {
        var results = new EnqueueResult[jobs.Count];
        var changes = TakeChanges();
        lock (_gate)
        {
            if (_liveJobs + jobs.Count > _options.MaxJobs) throw Full();
            for (var i = 0; i < jobs.Count; i++) results[i] = InsertLocked(jobs[i], changes);
        }
        Announce(changes);
        return results;
    }

    private GantryException Full() => GantryException.Unavailable(
        $"the memory lane already holds {_liveJobs} jobs, its limit (Gantry:MemoryLane:MaxJobs); try again once workers have caught up.");

    private EnqueueResult InsertLocked(in NewJob n, ChangeSet changes)
    {
        var queue = QueueLocked(n.Queue);
        if (n.UniqueKey is { } key && queue.Uniques.TryGetValue(key, out var holder))
            return new EnqueueResult(holder.Id, holder.State, Existing: true);
        var job = new MemoryJob
        {
            Id = ++_nextId, Queue = queue, Payload = n.Payload, UniqueKey = n.UniqueKey, Priority = n.Priority, CreatedAt = n.CreatedAt,
            MaxAttempts = n.MaxAttempts, Timeout = n.Timeout, RunAt = n.RunAt, State = n.InitialState, Watched = n.WatchFinish,
        };
        _jobs.Add(job.Id, job);
        queue.Added();
        queue.Counted(job.State, 1);
        _liveJobs++;
        if (job.UniqueKey is not null) queue.Uniques.Add(job.UniqueKey, job);
        Enter(job, changes);
        return new EnqueueResult(job.Id, job.State, Existing: false);
    }

    /// <summary>Puts a job that just reached its state where that state lives: in line, in the due heap, or finished.</summary>
    private void Enter(MemoryJob job, ChangeSet changes)
    {
        switch (job.State)
        {
            case JobState.Available:
                job.Queue.PushAvailable(job);
                changes.JobsAvailable(job.Queue.Name);
                break;
            case JobState.Scheduled or JobState.Failed:
                job.Stamp++;
                _due.Enqueue((job, job.Stamp), job.RunAtTicks);
                changes.JobDue(job.RunAt);
                break;
            default:
                Finished(job, changes);
                break;
        }
    }

    /// <remarks>byFollower: The front that follows the job brought its end and needs no announcement of it.</remarks>
    private void Finished(MemoryJob job, ChangeSet changes, bool byFollower = false)
    {
        job.Stamp++;
        _liveJobs--;
        if (job.UniqueKey is { } key && job.Queue.Uniques.TryGetValue(key, out var holder) && holder == job) job.Queue.Uniques.Remove(key);
        var list = job.Watched ? _finishedWatched : _finished;
        list.AddLast(job.Node ??= new LinkedListNode<MemoryJob>(job));
        // Only a watched job's end is announced: nobody else waits for it (a front that attached to a job watches it).
        if (job.Watched || job.Followed && !byFollower) changes.JobFinished(job.Id);
        var keep = job.Watched ? _options.KeepFinished : _options.KeepUnwatched;
        while (list.Count > keep) Forget(list.First!.Value);
    }

    /// <summary>Drops a finished job for good.</summary>
    private void Forget(MemoryJob job)
    {
        if (job.Node?.List is { } list && (list == _finished || list == _finishedWatched)) list.Remove(job.Node);
        _jobs.Remove(job.Id);
        job.Queue.Counted(job.State, -1);
        job.Queue.Removed();
        DropIfEmpty(job.Queue);
    }

    /// <summary>The queue, created on first use.</summary>
    private MemoryQueue QueueLocked(string name)
    {
        if (_queues.TryGetValue(name, out var queue)) return queue;
        queue = new MemoryQueue(name) { Paused = _paused.Contains(name) };
        _queues.Add(name, queue);
        return queue;
    }

    /// <summary>A queue that holds no job at all is dropped, so names used once cost nothing for ever after.</summary>
    private void DropIfEmpty(MemoryQueue queue)
    {
        if (queue.Total == 0 && _queues.TryGetValue(queue.Name, out var current) && current == queue) _queues.Remove(queue.Name);
    }

    /// <summary>Moves a job to another state, keeping the counts.</summary>
    private static void Move(MemoryJob job, JobState to)
    {
        job.Queue.Counted(job.State, -1);
        job.State = to;
        job.Queue.Counted(to, 1);
    }

    // ---- leases -------------------------------------------------------------------------------------------------

    /// <summary>Leases up to <paramref name="max"/> available jobs of the queue, in line order.</summary>
    public IReadOnlyList<LeasedJob> Lease(string queue, int max, DateTimeOffset now)
    {
        lock (_gate)
        {
            if (!_queues.TryGetValue(queue, out var q) || q.Paused) return [];
            List<LeasedJob>? jobs = null;
            while ((jobs?.Count ?? 0) < max && q.PeekAvailable() is { } job)
            {
                q.TakeAvailable(job);
                StartLocked(job, now);
                (jobs ??= new List<LeasedJob>(Math.Min(max, 64))).Add(job.ToLeased());
            }
            return (IReadOnlyList<LeasedJob>?)jobs ?? [];
        }
    }

    /// <summary>
    /// Leases the best available job among <paramref name="queues"/> (highest priority, then earliest, then oldest, across
    /// all of them, as gearmand hands out a worker's functions), when its priority is at least
    /// <paramref name="atLeastPriority"/>; false when there is none. A struct out, not a record: a front's hot path.
    /// </summary>
    public bool LeaseBest(ReadOnlySpan<string> queues, int? atLeastPriority, DateTimeOffset now, out MemoryLease lease)
    {
        lock (_gate)
        {
            MemoryJob? best = null;
            foreach (var name in queues)
            {
                if (!_queues.TryGetValue(name, out var q) || q.Paused) continue;
                if (q.PeekAvailable() is { } head && (best is null || head.Key.CompareTo(best.Key) < 0)) best = head;
            }
            if (best is null || best.Priority < atLeastPriority)
            {
                lease = default;
                return false;
            }
            best.Queue.TakeAvailable(best);
            StartLocked(best, now);
            lease = new MemoryLease(best.Id, best.Attempt, best.Queue.Name, best.Priority, best.Payload, best.UniqueKey);
            return true;
        }
    }

    private void StartLocked(MemoryJob job, DateTimeOffset now)
    {
        Move(job, JobState.Running);
        job.Attempt++;
        job.StartedAt = now;
        job.LeaseExpiresAt = now + job.Timeout;
        _running.AddLast(job.Node ??= new LinkedListNode<MemoryJob>(job));
    }

    /// <summary>Moves a running job to <paramref name="to"/>: it leaves the running list.</summary>
    private void StopRunning(MemoryJob job, JobState to)
    {
        if (job.State == JobState.Running && job.Node?.List == _running) _running.Remove(job.Node);
        Move(job, to);
    }

    public IReadOnlyList<HeartbeatResult> ExtendLeases(IReadOnlyList<LeaseRef> leases, DateTimeOffset now)
    {
        var results = new HeartbeatResult[leases.Count];
        lock (_gate)
        {
            for (var i = 0; i < leases.Count; i++)
            {
                var l = leases[i];
                if (!_jobs.TryGetValue(l.Id, out var job) || job.State != JobState.Running || job.Attempt != l.Attempt)
                {
                    results[i] = new HeartbeatResult(l.Id, LeaseStatus.Lost, null);
                    continue;
                }
                job.LeaseExpiresAt = now + job.Timeout;
                results[i] = new HeartbeatResult(l.Id, job.CancelRequested ? LeaseStatus.CancelRequested : LeaseStatus.Ok, job.LeaseExpiresAt);
            }
        }
        return results;
    }

    /// <summary>Running jobs whose lease ended at or before <paramref name="now"/>; they stay running (the caller decides).</summary>
    public IReadOnlyList<LeaseRef> ExpiredLeases(DateTimeOffset now, int limit)
    {
        lock (_gate)
        {
            List<LeaseRef>? expired = null;
            foreach (var job in _running)
            {
                if (job.LeaseExpiresAtTicks > now.UtcTicks) continue;
                (expired ??= []).Add(new LeaseRef(job.Id, job.Attempt));
                if (expired.Count == limit) break;
            }
            return (IReadOnlyList<LeaseRef>?)expired ?? [];
        }
    }

    // ---- completion and failure ---------------------------------------------------------------------------------

    /// <remarks>byFollower: The completion comes from the front that follows the job (<see cref="Follow"/>), which
    /// has told its clients already: its end is announced only to those who watch it.</remarks>
    public CompletionResult Complete(in Completion c, DateTimeOffset now, bool byFollower = false)
    {
        var changes = TakeChanges();
        CompletionResult result;
        lock (_gate) result = CompleteLocked(c, now, changes, byFollower);
        Announce(changes);
        return result;
    }

    public IReadOnlyList<CompletionResult> CompleteMany(IReadOnlyList<Completion> completions, DateTimeOffset now)
    {
        var results = new CompletionResult[completions.Count];
        var changes = TakeChanges();
        lock (_gate)
        {
            for (var i = 0; i < results.Length; i++) results[i] = CompleteLocked(completions[i], now, changes);
        }
        Announce(changes);
        return results;
    }

    private CompletionResult CompleteLocked(in Completion c, DateTimeOffset now, ChangeSet changes, bool byFollower = false)
    {
        if (!_jobs.TryGetValue(c.Id, out var job) || job.State != JobState.Running || job.Attempt != c.Attempt)
            return new CompletionResult(c.Id, LeaseStatus.Lost, null, default);
        var times = job.Times;
        StopRunning(job, JobState.Succeeded);
        job.Result = c.Result;
        job.FinishedAt = now;
        job.LeaseExpiresAt = null;
        Finished(job, changes, byFollower);
        return new CompletionResult(c.Id, LeaseStatus.Ok, job.Queue.Name, times);
    }

    public FailureResult Fail(in Failure f, FailureRules rules, DateTimeOffset now)
    {
        var changes = TakeChanges();
        FailureResult result;
        lock (_gate) result = FailLocked(f, rules, now, changes);
        Announce(changes);
        return result;
    }

    public IReadOnlyList<FailureResult> FailMany(IReadOnlyList<Failure> failures, FailureRules rules, DateTimeOffset now)
    {
        var results = new FailureResult[failures.Count];
        var changes = TakeChanges();
        lock (_gate)
        {
            for (var i = 0; i < results.Length; i++) results[i] = FailLocked(failures[i], rules, now, changes);
        }
        Announce(changes);
        return results;
    }

    private FailureResult FailLocked(in Failure f, FailureRules rules, DateTimeOffset now, ChangeSet changes)
    {
        if (!_jobs.TryGetValue(f.Id, out var job)) return new FailureResult(f.Id, LeaseStatus.Lost, default, null, null);
        var facts = new FailingJob(job.Id, job.Queue.Name, job.State, job.Attempt, job.MaxAttempts, job.CancelRequested,
            job.LeaseExpiresAt, job.ErrorsJson);
        if (rules.Decide(facts, f, now) is not { } d) return new FailureResult(f.Id, LeaseStatus.Lost, job.State, null, job.Queue.Name);
        var times = job.Times;
        StopRunning(job, d.State);
        if (d.RunAt is { } runAt) job.RunAt = runAt;
        job.Attempt = d.Attempt;
        job.FinishedAt = d.FinishedAt;
        job.LeaseExpiresAt = null;
        job.ErrorsJson = d.ErrorsJson;
        if (d.ClearStartedAt) job.StartedAt = null;
        Enter(job, changes);
        return new FailureResult(f.Id, LeaseStatus.Ok, d.State, d.RunAt, job.Queue.Name, times);
    }

    // ---- scheduling and cancelling ------------------------------------------------------------------------------

    public int PromoteDue(DateTimeOffset now, int limit)
    {
        var changes = TakeChanges();
        var count = 0;
        lock (_gate)
        {
            while (count < limit && _due.TryPeek(out var entry, out var at) && at <= now.UtcTicks)
            {
                _due.Dequeue();
                var job = entry.Job;
                if (job.Stamp != entry.Stamp || job.State is not (JobState.Scheduled or JobState.Failed)) continue;
                Move(job, JobState.Available);
                Enter(job, changes);
                count++;
            }
        }
        Announce(changes);
        return count;
    }

    public DateTimeOffset? NextDueAt()
    {
        lock (_gate)
        {
            while (_due.TryPeek(out var entry, out var at))
            {
                if (entry.Job.Stamp == entry.Stamp && entry.Job.State is JobState.Scheduled or JobState.Failed)
                    return new DateTimeOffset(at, TimeSpan.Zero);
                _due.Dequeue();
            }
            return null;
        }
    }

    public CancelOutcome Cancel(long id, DateTimeOffset now)
    {
        var changes = TakeChanges();
        CancelOutcome outcome;
        lock (_gate) outcome = CancelLocked(id, now, changes);
        Announce(changes);
        return outcome;
    }

    private CancelOutcome CancelLocked(long id, DateTimeOffset now, ChangeSet changes)
    {
        if (!_jobs.TryGetValue(id, out var job)) return CancelOutcome.NotFound;
        if (job.State.IsFinished()) return CancelOutcome.AlreadyFinished;
        if (job.State == JobState.Running)
        {
            job.CancelRequested = true;
            return CancelOutcome.CancelRequested;
        }
        if (job.State == JobState.Available) job.Queue.LeftAvailable(job);
        Move(job, JobState.Cancelled);
        job.FinishedAt = now;
        Finished(job, changes);
        return CancelOutcome.Cancelled;
    }

    /// <summary>Cancels every job of the queue that waits (available or scheduled); returns their ids. For Gearman's
    /// "drop function".</summary>
    public IReadOnlyList<long> CancelWaiting(string queue, DateTimeOffset now)
    {
        var changes = TakeChanges();
        var ids = new List<long>();
        lock (_gate)
        {
            if (_queues.TryGetValue(queue, out var q))
            {
                foreach (var job in _jobs.Values.Where(j => j.Queue == q && j.State is JobState.Available or JobState.Scheduled or JobState.Failed).ToList())
                {
                    CancelLocked(job.Id, now, changes);
                    ids.Add(job.Id);
                }
            }
        }
        Announce(changes);
        return ids;
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    public Job? Get(long id)
    {
        lock (_gate) return _jobs.TryGetValue(id, out var job) ? job.ToJob() : null;
    }

    /// <summary>The job's state, or null when the lane does not hold it (cheaper than <see cref="Get"/>).</summary>
    public JobState? StateOf(long id)
    {
        lock (_gate) return _jobs.TryGetValue(id, out var job) ? job.State : null;
    }

    public JobPage List(JobQuery query)
    {
        lock (_gate)
        {
            var matching = _jobs.Values
                .Where(j => (query.Queue is null || j.Queue.Name == query.Queue) && (query.State is null || j.State == query.State) &&
                            (query.Before is null || j.Id < query.Before))
                .OrderByDescending(j => j.Id)
                .Take(query.Limit + 1)
                .Select(j => j.ToJob())
                .ToList();
            long? next = null;
            if (matching.Count > query.Limit)
            {
                matching.RemoveAt(matching.Count - 1);
                next = matching[^1].Id;
            }
            return new JobPage(matching, next);
        }
    }

    public int DeleteFinished(JobState state, DateTimeOffset finishedBefore, int limit)
    {
        if (!state.IsFinished()) throw new ArgumentOutOfRangeException(nameof(state), state, "only finished jobs are pruned");
        lock (_gate)
        {
            var deleted = 0;
            foreach (var list in new[] { _finished, _finishedWatched })
            {
                var node = list.First;
                while (node is not null && deleted < limit)
                {
                    var next = node.Next;
                    var job = node.Value;
                    if (job.State == state && job.FinishedAt < finishedBefore)
                    {
                        Forget(job);
                        deleted++;
                    }
                    node = next;
                }
            }
            return deleted;
        }
    }

    /// <summary>Asks that the job's end be announced (someone waits for it), and that it be kept for reading.</summary>
    public void Watch(long id)
    {
        lock (_gate)
        {
            if (_jobs.TryGetValue(id, out var job)) job.Watched = true;
        }
    }

    /// <summary>Asks that the job's end be announced to a front that keeps a record of it, without keeping the job any
    /// longer for reading (as <see cref="Watch"/> does for someone waiting to read it).</summary>
    public void Follow(long id)
    {
        lock (_gate)
        {
            if (_jobs.TryGetValue(id, out var job)) job.Followed = true;
        }
    }

    /// <summary>Whether the lane holds any job of the queue now (the queue exists in this lane).</summary>
    public bool HasQueue(string queue)
    {
        lock (_gate) return _queues.ContainsKey(queue);
    }

    /// <summary>Whether any of the queues has a job waiting in line (and is not paused).</summary>
    public bool AnyAvailable(ReadOnlySpan<string> queues)
    {
        lock (_gate)
        {
            foreach (var name in queues)
                if (_queues.TryGetValue(name, out var q) && !q.Paused && q.PeekAvailable() is not null) return true;
            return false;
        }
    }

    /// <summary>Whether any job of the queue is not finished yet.</summary>
    public bool HasLiveJobs(string queue)
    {
        lock (_gate) return _queues.TryGetValue(queue, out var q) && q.Live > 0;
    }

    /// <summary>One queue's counts as Gearman's admin protocol shows them.</summary>
    public MemoryQueueCounts CountsOf(string queue)
    {
        lock (_gate)
        {
            if (!_queues.TryGetValue(queue, out var q)) return default;
            return new MemoryQueueCounts(q.AvailableInBand(0), q.AvailableInBand(1), q.AvailableInBand(2), (int)q.Count(JobState.Running),
                (int)(q.Count(JobState.Scheduled) + q.Count(JobState.Failed)));
        }
    }

    /// <summary>Every live job: id, queue, and whether it waits in line (Gearman's "show jobs").</summary>
    public IReadOnlyList<(long Id, string Queue, bool Queued)> LiveJobList()
    {
        lock (_gate)
            return _jobs.Values.Where(j => j.IsLive).OrderBy(j => j.Id).Select(j => (j.Id, j.Queue.Name, j.State == JobState.Available)).ToList();
    }

    /// <summary>Every unique key a live job holds, with its queue and job (Gearman's "show unique jobs").</summary>
    public IReadOnlyList<(string Queue, string Key, long Id)> UniqueKeys()
    {
        lock (_gate)
            return _queues.Values.SelectMany(q => q.Uniques.Select(u => (q.Name, u.Key, u.Value.Id))).ToList();
    }

    /// <summary>The live job of <paramref name="queue"/> holding <paramref name="key"/>, in any queue when null.</summary>
    public long? FindUnique(string? queue, string key)
    {
        lock (_gate)
        {
            if (queue is not null) return _queues.TryGetValue(queue, out var q) && q.Uniques.TryGetValue(key, out var j) ? j.Id : null;
            foreach (var q in _queues.Values)
                if (q.Uniques.TryGetValue(key, out var j)) return j.Id;
            return null;
        }
    }

    public IReadOnlyList<QueueSummary> Queues()
    {
        lock (_gate)
        {
            // A paused queue is listed even while it holds nothing: someone paused it on purpose.
            var empty = JobStates.All.ToDictionary(s => s, _ => 0L);
            return _queues.Values
                .Select(q => new QueueSummary(q.Name, q.Paused, q.Counts(), q.OldestAvailable()) { Lane = QueueLanes.Memory })
                .Concat(_paused.Where(p => !_queues.ContainsKey(p)).Select(p => new QueueSummary(p, true, empty, null) { Lane = QueueLanes.Memory }))
                .OrderBy(q => q.Name, StringComparer.Ordinal)
                .ToList();
        }
    }

    public void SetPaused(string queue, bool paused)
    {
        var changes = TakeChanges();
        lock (_gate)
        {
            if (paused) _paused.Add(queue);
            else _paused.Remove(queue);
            if (_queues.TryGetValue(queue, out var q))
            {
                q.Paused = paused;
                if (!paused && q.Count(JobState.Available) > 0) changes.JobsAvailable(queue);
            }
        }
        Announce(changes);
    }

    // ---- announcements --------------------------------------------------------------------------------------------

    /// <summary>A change set for one operation: the thread's spare one, so the hot path allocates none; an operation
    /// that runs inside another's announcement (a front reacting on the same thread) gets a new one.</summary>
    private static ChangeSet TakeChanges()
    {
        var changes = t_changes ?? new ChangeSet();
        t_changes = null;
        return changes;
    }

    private void Announce(ChangeSet changes)
    {
        try
        {
            if (!changes.IsEmpty) _notifier.Announce(changes);
        }
        finally
        {
            changes.Clear();
            t_changes = changes;
        }
    }
}

/// <summary>A memory queue's counts in Gearman's terms: available jobs per priority (high, normal, low), running jobs,
/// and jobs waiting for their time (scheduled or waiting for a retry).</summary>
public readonly record struct MemoryQueueCounts(int High, int Normal, int Low, int Running, int Waiting)
{
    public int Available => High + Normal + Low;
    public int Total => Available + Running + Waiting;
}

/// <summary>A memory job just leased to a protocol front's worker: what it needs to hand the job out and to report on it.</summary>
public readonly record struct MemoryLease(long Id, int Attempt, string Queue, int Priority, ReadOnlyMemory<byte> Payload, string? UniqueKey)
{
    public LeaseRef Lease => new(Id, Attempt);
}
