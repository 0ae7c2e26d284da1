using System.Security.Cryptography;
using System.Text;
using Gantry.Core;
using Gantry.Core.Jobs;
using Gantry.Core.Memory;
using Gantry.Protocol.Gearman;

namespace Gantry.Gearman;

/// <summary>What a SUBMIT_JOB* packet asks for, already validated by the protocol handler.</summary>
internal readonly record struct Submission(
    string Function, byte[] Unique, ReadOnlyMemory<byte> Payload, GearmanSubmitPriority Priority, bool Background,
    DateTimeOffset? RunAt, byte[]? Reducer);

/// <summary>Which JOB_ASSIGN variant a worker asked for.</summary>
internal enum GrabKind : byte { Plain, Unique, All }

internal sealed partial class GearmanJobServer
{
    /// <summary>
    /// Enqueues a job in the memory lane (or attaches the client to the live job of the function holding the same
    /// unique id) and sends JOB_CREATED. Returns an error to send instead when a limit refuses the job.
    /// </summary>
    public GearmanProtocolError? Submit(GearmanSession client, in Submission s)
    {
        lock (_gate)
        {
            if (client.Closed) return null;
            var f = FunctionFor(s.Function, out var refused);
            if (f is null) return refused;
            var key = UniqueKey(s.Unique, s.Payload.Span);
            if (key is not null && _engine.Memory.FindUnique(f.Name, key) is { } holder)
            {
                var existing = RecordFor(holder, f, durable: false);
                client.Out.Send(GearmanPacketType.JobCreated, existing.Handle);
                if (!s.Background) Attach(existing, client);
                return null;
            }
            var band = (int)s.Priority;
            if (f.MaxQueue[band] > 0 && CountInBand(_engine.Memory.CountsOf(f.Name), band) >= f.MaxQueue[band])
                return new GearmanProtocolError("QUEUE_ERROR", $"the {s.Priority.ToString().ToLowerInvariant()} priority queue of " +
                                                               $"'{f.Name}' is full ({f.MaxQueue[band]} jobs, set by maxqueue)");
            EnqueueResult result;
            try
            {
                result = _engine.EnqueueInMemory(new EnqueueRequest
                {
                    Queue = f.Name,
                    Payload = s.Payload,
                    Priority = StorePriority(s.Priority),
                    UniqueKey = key,
                    RunAt = s.RunAt,
                    // A foreground job's client is its retry: it hears WORK_FAIL and decides.
                    MaxAttempts = s.Background ? f.Options.Retries + 1 : 1,
                    Timeout = _options.WorkerLease,
                }, _limits);
            }
            catch (GantryException ex)
            {
                return new GearmanProtocolError("QUEUE_ERROR", ex.Message);
            }
            // Only what Gearman keeps beyond the engine's job needs a record: clients, a reducer, a "-" unique id.
            if (!s.Background || s.Reducer is not null || s.Unique is [(byte)'-'])
            {
                var job = RecordFor(result.Id, f, durable: false);
                job.Unique = s.Unique;
                job.Reducer ??= s.Reducer;
                _engine.FollowMemoryJob(job.Id); // the record must hear the job's end, whoever finishes it
                client.Out.Send(GearmanPacketType.JobCreated, job.Handle);
                if (!s.Background) Attach(job, client);
                return null;
            }
            Span<byte> handle = stackalloc byte[_handlePrefix.Length + 21];
            client.Out.Send(GearmanPacketType.JobCreated, handle[..WriteHandle(handle, result.Id, durable: false)]);
            return null;
        }
    }

    private static int CountInBand(MemoryQueueCounts counts, int band) => band switch { 0 => counts.High, 1 => counts.Normal, _ => counts.Low };

    /// <summary>The unique key a submission holds in its function: none for an empty unique id, the payload for "-"
    /// (gearmand's convention), the id itself otherwise. A key the engine could not hold as is (over its length limit,
    /// or with NUL bytes: a payload used as the key) is held as its SHA-256, which coalesces the same way.</summary>
    private string? UniqueKey(byte[] unique, ReadOnlySpan<byte> payload)
    {
        if (unique.Length == 0) return null;
        var raw = unique is [(byte)'-'] ? payload : unique;
        if (raw.Length <= _engine.Options.Limits.MaxUniqueKeyLength && !raw.Contains((byte)0)) return Encoding.Latin1.GetString(raw);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(raw));
    }

    /// <summary>This front's record of a job, made on first need.</summary>
    private GearmanJob RecordFor(long id, GearmanFunction function, bool durable)
    {
        if (_jobs.TryGetValue(id, out var job)) return job;
        job = new GearmanJob { Id = id, Handle = Handle(id, durable), Function = function, Durable = durable };
        _jobs.Add(id, job);
        return job;
    }

    private void Attach(GearmanJob job, GearmanSession client)
    {
        if (job.Clients is null && !job.Durable) _engine.FollowMemoryJob(job.Id); // its end reaches us whoever finishes it
        (job.Clients ??= []).Add(client);
        client.Waiting.Add(job);
    }

    /// <summary>
    /// GRAB_JOB*: hands the worker the best job among its functions — highest priority first across all of them (as
    /// gearmand), oldest first within a priority — from the memory lane or from the durable jobs leased ahead for it,
    /// and sends JOB_ASSIGN*. False when there is none.
    /// </summary>
    public bool Grab(GearmanSession worker, GrabKind kind)
    {
        lock (_gate)
        {
            FinishAbandonedExceptions(worker);
            worker.Sleeping = false;
            worker.GrabGeneration = DurableGeneration(worker);
            var prefetched = BestPrefetched(worker, out var from);
            if (worker.AbilityNames.Length > 0 &&
                _engine.LeaseFromMemory(worker.AbilityNames, prefetched?.Prefetched!.Priority, out var leased))
            {
                var ability = AbilityFor(worker, leased.Queue);
                var job = RecordFor(leased.Id, ability.Function, durable: false);
                job.Lease = leased.Lease;
                AssignLocked(job, worker, ability.Timeout, kind, leased.Payload, leased.UniqueKey);
                return true;
            }
            if (prefetched is null) return false;
            from!.Drop();
            prefetched.Function.DurableQueued--;
            var p = prefetched.Prefetched!;
            AssignLocked(prefetched, worker, AbilityFor(worker, prefetched.Function.Name).Timeout, kind, p.Payload, p.UniqueKey);
            return true;
        }
    }

    private static Ability AbilityFor(GearmanSession worker, string function)
    {
        foreach (var a in worker.Abilities)
            if (string.Equals(a.Function.Name, function, StringComparison.Ordinal)) return a;
        throw new InvalidOperationException($"worker {worker.Id} has no ability '{function}'");
    }

    /// <summary>The highest-priority durable job leased ahead for any of the worker's functions, oldest first.</summary>
    private static GearmanJob? BestPrefetched(GearmanSession worker, out JobDeque? from)
    {
        from = null;
        for (var p = 0; p < 3; p++)
        {
            GearmanJob? best = null;
            foreach (var ability in worker.Abilities)
            {
                if (ability.Function.DurableQueued == 0) continue;
                var queue = ability.Function.Prefetched[p];
                if (queue.PeekLive() is { } head && (best is null || head.Prefetched!.Id < best.Prefetched!.Id))
                {
                    best = head;
                    from = queue;
                }
            }
            if (best is not null) return best;
        }
        return null;
    }

    /// <summary>
    /// Durable jobs leased from the store for this worker: the first is assigned to it (JOB_ASSIGN*), the rest wait in
    /// memory for the function's next grabs, still leased (the lease keeper extends them), so a busy function costs one
    /// store round trip per batch instead of per job. False when the worker left meanwhile; the jobs then wait for
    /// the function's other workers, or go back to the store when it has none.
    /// </summary>
    public bool AssignDurable(GearmanSession worker, GearmanFunction function, IReadOnlyList<LeasedJob> leased, GrabKind kind)
    {
        List<LeaseRef>? orphans = null;
        bool assigned;
        lock (_gate)
        {
            assigned = !worker.Closed;
            for (var i = 0; i < leased.Count; i++)
            {
                var l = leased[i];
                var job = RecordFor(l.Id, function, durable: true);
                job.Lease = l.Lease;
                job.Prefetched = l;
                job.Unique = l.UniqueKey is null ? [] : Encoding.Latin1.GetBytes(l.UniqueKey);
                if (i == 0 && assigned)
                {
                    AssignLocked(job, worker, AbilityFor(worker, function.Name).Timeout, kind, l.Payload, l.UniqueKey);
                    continue;
                }
                job.Stage = JobStage.Queued;
                function.DurableQueued++;
                function.Prefetched[(int)PriorityOf(l.Priority)].PushBack(job);
                WakeSleepersLocked(function);
            }
            if (function.Workers.Count == 0) orphans = TakeQueuedDurable(function);
        }
        if (orphans is not null) foreach (var lease in orphans) Durable?.Release(lease, "no Gearman worker of the function is connected");
        return assigned;
    }

    /// <summary>Durable jobs waiting in memory for this function's workers, removed so their leases can be given back.</summary>
    private List<LeaseRef> TakeQueuedDurable(GearmanFunction function)
    {
        var leases = new List<LeaseRef>();
        if (function.DurableQueued == 0) return leases;
        foreach (var q in function.Prefetched)
            foreach (var job in q.Live().ToList())
            {
                leases.Add(job.Lease);
                Forget(job);
            }
        return leases;
    }

    /// <summary>On shutdown: every durable job still waiting in memory goes back to the store.</summary>
    public List<LeaseRef> TakeAllQueuedDurable()
    {
        lock (_gate) return _functions.Values.SelectMany(TakeQueuedDurable).ToList();
    }

    public static int StorePriority(GearmanSubmitPriority p) => p switch { GearmanSubmitPriority.High => 1, GearmanSubmitPriority.Low => -1, _ => 0 };

    private static GearmanSubmitPriority PriorityOf(int storePriority) =>
        storePriority > 0 ? GearmanSubmitPriority.High : storePriority < 0 ? GearmanSubmitPriority.Low : GearmanSubmitPriority.Normal;

    private void AssignLocked(GearmanJob job, GearmanSession worker, TimeSpan timeout, GrabKind kind, ReadOnlyMemory<byte> payloadBytes,
        string? uniqueKey)
    {
        job.Stage = JobStage.Running;
        job.Worker = worker;
        job.Assignment++;
        job.ExceptionSent = false;
        job.LastError = null;
        if (job.Durable) job.Function.DurableRunning++;
        worker.Assigned.Add(job);
        if (timeout > TimeSpan.Zero)
        {
            var assignment = job.Assignment;
            job.Timer = _time.CreateTimer(static state =>
            {
                var (server, j, w, a) = ((GearmanJobServer, GearmanJob, GearmanSession, int))state!;
                server.TimedOut(j, w, a);
            }, (this, job, worker, assignment), timeout, Timeout.InfiniteTimeSpan);
        }
        var f = job.Function;
        var payload = payloadBytes.Span;
        switch (kind)
        {
            case GrabKind.Plain:
                worker.Out.Send(GearmanPacketType.JobAssign, job.Handle, f.NameBytes, payload);
                break;
            case GrabKind.Unique:
                worker.Out.Send(GearmanPacketType.JobAssignUniq, job.Handle, f.NameBytes, UniqueOf(job, uniqueKey), payload);
                break;
            default:
                worker.Out.Send(GearmanPacketType.JobAssignAll, job.Handle, f.NameBytes, UniqueOf(job, uniqueKey), job.Reducer ?? [], payload);
                break;
        }
    }

    /// <summary>The unique id as the submitting client sent it (kept in the record when it differs from the key).</summary>
    private static ReadOnlySpan<byte> UniqueOf(GearmanJob job, string? uniqueKey) =>
        job.Unique.Length > 0 ? job.Unique : uniqueKey is null ? [] : Encoding.Latin1.GetBytes(uniqueKey);

    private void StopRunning(GearmanJob job)
    {
        if (job.Stage != JobStage.Running) return;
        if (job.Durable) job.Function.DurableRunning--;
        job.Worker?.Assigned.Remove(job);
        job.Worker = null;
        job.Timer?.Dispose();
        job.Timer = null;
    }

    /// <summary>Drops this front's record of a job: it finished, failed for good, went back to the store, or was dropped.</summary>
    private void Forget(GearmanJob job)
    {
        switch (job.Stage)
        {
            case JobStage.Queued when job.Durable: job.Function.DurableQueued--; break;
            case JobStage.Running: StopRunning(job); break;
            case JobStage.Gone: return;
        }
        job.Stage = JobStage.Gone;
        job.Timer?.Dispose();
        job.Timer = null;
        _jobs.Remove(job.Id);
        if (job.Clients is { } clients)
        {
            foreach (var c in clients) c.Waiting.Remove(job);
            job.Clients = null;
        }
    }

    /// <summary>Memory jobs that ended without a Gearman worker reporting it (an HTTP worker completed one, a client
    /// cancelled one, its attempts ran out elsewhere): their Gearman clients hear the end.</summary>
    private void FinishedElsewhere(IReadOnlyList<long> ids)
    {
        lock (_gate)
        {
            if (_jobs.Count == 0) return;
            for (var i = 0; i < ids.Count; i++)
            {
                var id = ids[i];
                if (!MemoryJobIds.IsMemory(id) || !_jobs.TryGetValue(id, out var job)) continue;
                if (job.Clients is { } clients)
                {
                    var ended = _engine.Memory.Get(id);
                    foreach (var client in clients)
                    {
                        if (ended?.State == JobState.Succeeded)
                            client.Out.Send(GearmanPacketType.WorkComplete, job.Handle, (ended.Result ?? ReadOnlyMemory<byte>.Empty).Span);
                        else client.Out.Send(GearmanPacketType.WorkFail, job.Handle);
                    }
                }
                var function = job.Function;
                Forget(job);
                ForgetIfIdle(function);
            }
        }
    }

    /// <summary>Notifications may have been lost (the store's listener reconnected): every sleeping worker looks again.</summary>
    private void WakeEverySleeper()
    {
        lock (_gate)
        {
            foreach (var f in _functions.Values)
            {
                f.WakeGeneration++;
                WakeSleepersLocked(f);
            }
        }
    }

    /// <summary>Writes the handle of a job into <paramref name="destination"/> (prefix + 21 bytes is always enough).</summary>
    private int WriteHandle(Span<byte> destination, long id, bool durable)
    {
        _handlePrefix.CopyTo(destination);
        var n = _handlePrefix.Length;
        if (durable) destination[n++] = (byte)'d';
        System.Buffers.Text.Utf8Formatter.TryFormat(id, destination[n..], out var written);
        return n + written;
    }
}
