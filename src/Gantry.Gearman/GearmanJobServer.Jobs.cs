using Gantry.Core.Stats;
using System.Text;
using Gantry.Core.Jobs;
using Gantry.Protocol.Gearman;

namespace Gantry.Gearman;

/// <summary>What a SUBMIT_JOB* packet asks for, already validated by the protocol handler.</summary>
internal readonly record struct Submission(
    string Function, byte[] Unique, ReadOnlyMemory<byte> Payload, GearmanPriority Priority, bool Background,
    DateTimeOffset? RunAt, byte[]? Reducer);

/// <summary>Which JOB_ASSIGN variant a worker asked for.</summary>
internal enum GrabKind : byte { Plain, Unique, All }

internal sealed partial class GearmanJobServer
{
    private readonly PriorityQueue<GearmanJob, (DateTimeOffset, long)> _schedule;
    private ITimer? _scheduleTimer;
    private DateTimeOffset _scheduleTimerDue = DateTimeOffset.MaxValue;

    /// <summary>
    /// Queues a memory-lane job (or attaches the client to the live job holding the same unique id) and sends
    /// JOB_CREATED. Returns an error to send instead when a limit refuses the job.
    /// </summary>
    public GearmanProtocolError? Submit(GearmanSession client, in Submission s)
    {
        lock (_gate)
        {
            if (client.Closed) return null;
            var f = FunctionFor(s.Function);
            // "-" asks gearmand to use the payload as the unique id; an empty unique never coalesces.
            string? key = s.Unique.Length == 0 ? null
                : s.Unique is [(byte)'-'] ? Encoding.Latin1.GetString(s.Payload.Span)
                : Encoding.Latin1.GetString(s.Unique);
            if (key is not null && f.Uniques.TryGetValue(key, out var existing))
            {
                client.Out.Send(GearmanPacketType.JobCreated, existing.Handle);
                if (!s.Background) Attach(existing, client);
                return null;
            }
            if (_memoryJobCount >= _options.MaxMemoryJobs)
                return new GearmanProtocolError("QUEUE_ERROR",
                    $"the server already holds {_memoryJobCount} jobs in memory (Gantry:Gearman:MaxMemoryJobs)");
            var p = (int)s.Priority;
            if (f.MaxQueue[p] > 0 && f.Queued[p] >= f.MaxQueue[p])
                return new GearmanProtocolError("QUEUE_ERROR", $"the {s.Priority.ToString().ToLowerInvariant()} priority queue of " +
                                                               $"'{f.Name}' is full ({f.MaxQueue[p]} jobs, set by maxqueue)");

            var seq = ++_nextSeq;
            var job = new GearmanJob
            {
                Seq = seq, Handle = MemoryHandle(seq), Function = f, Unique = s.Unique, UniqueKey = key,
                Payload = s.Payload, Priority = s.Priority, Background = s.Background, Reducer = s.Reducer,
                CreatedAt = _time.GetUtcNow(),
            };
            _memoryJobs.Add(seq, job);
            _memoryJobCount++;
            if (key is not null) f.Uniques.Add(key, job);
            client.Out.Send(GearmanPacketType.JobCreated, job.Handle);
            if (!s.Background) Attach(job, client);
            if (s.RunAt is { } at && at > _time.GetUtcNow()) ScheduleLocked(job, at);
            else EnqueueLocked(job);
            return null;
        }
    }

    private static void Attach(GearmanJob job, GearmanSession client)
    {
        (job.Clients ??= []).Add(client);
        client.Waiting.Add(job);
    }

    /// <summary>
    /// GRAB_JOB*: hands the worker the best memory job among its functions — highest priority first across all of
    /// them (as gearmand), oldest first within a priority — and sends JOB_ASSIGN*. False when there is none.
    /// </summary>
    public bool Grab(GearmanSession worker, GrabKind kind)
    {
        lock (_gate)
        {
            FinishAbandonedExceptions(worker);
            worker.Sleeping = false;
            worker.GrabGeneration = DurableGeneration(worker);
            for (var p = 0; p < 3; p++)
            {
                GearmanJob? best = null;
                var bestAbility = default(Ability);
                foreach (var ability in worker.Abilities)
                {
                    var head = ability.Function.Queues[p].PeekLive();
                    if (head is not null && (best is null || head.Seq < best.Seq))
                    {
                        best = head;
                        bestAbility = ability;
                    }
                }
                if (best is null) continue;
                best.Function.Queues[p].Drop();
                best.Function.Queued[p]--;
                if (best.Durable is not null) best.Function.DurableQueued--;
                AssignLocked(best, worker, bestAbility.Timeout, kind);
                return true;
            }
            return false;
        }
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
                var job = new GearmanJob
                {
                    Seq = ++_nextSeq, Handle = DurableHandle(l.Id), Function = function,
                    Unique = l.UniqueKey is null ? [] : Encoding.Latin1.GetBytes(l.UniqueKey), UniqueKey = null,
                    Payload = l.Payload, Priority = PriorityOf(l.Priority), Background = true, CreatedAt = l.CreatedAt, Durable = l.Lease,
                };
                _durableJobs[l.Id] = job;
                if (i == 0 && assigned)
                {
                    AssignLocked(job, worker, worker.Abilities.Find(a => a.Function == function).Timeout, kind);
                    continue;
                }
                function.DurableQueued++;
                EnqueueLocked(job);
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
        foreach (var q in function.Queues)
            foreach (var job in q.Live().ToList())
                if (job.Durable is { } lease)
                {
                    leases.Add(lease);
                    Forget(job);
                }
        return leases;
    }

    /// <summary>On shutdown: every durable job still waiting in memory goes back to the store.</summary>
    public List<LeaseRef> TakeAllQueuedDurable()
    {
        lock (_gate) return _functions.Values.SelectMany(TakeQueuedDurable).ToList();
    }

    public static int StorePriority(GearmanPriority p) => p switch { GearmanPriority.High => 1, GearmanPriority.Low => -1, _ => 0 };

    private static GearmanPriority PriorityOf(int storePriority) =>
        storePriority > 0 ? GearmanPriority.High : storePriority < 0 ? GearmanPriority.Low : GearmanPriority.Normal;

    private void AssignLocked(GearmanJob job, GearmanSession worker, TimeSpan timeout, GrabKind kind)
    {
        job.Stage = JobStage.Running;
        job.Worker = worker;
        job.Assignment++;
        if (job.Durable is null) job.StartedAt = _time.GetUtcNow();
        job.ExceptionSent = false;
        job.Function.Running++;
        if (job.Durable is not null) job.Function.DurableRunning++;
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
        switch (kind)
        {
            case GrabKind.Plain:
                worker.Out.Send(GearmanPacketType.JobAssign, job.Handle, f.NameBytes, job.Payload.Span);
                break;
            case GrabKind.Unique:
                worker.Out.Send(GearmanPacketType.JobAssignUniq, job.Handle, f.NameBytes, job.Unique, job.Payload.Span);
                break;
            default:
                worker.Out.Send(GearmanPacketType.JobAssignAll, job.Handle, f.NameBytes, job.Unique, job.Reducer ?? [], job.Payload.Span);
                break;
        }
    }

    private void EnqueueLocked(GearmanJob job)
    {
        var f = job.Function;
        var p = (int)job.Priority;
        job.Stage = JobStage.Queued;
        f.Queued[p]++;
        f.Queues[p].PushBack(job);
        WakeSleepersLocked(f);
    }

    /// <summary>A memory job whose worker vanished goes back to the front of its queue: it was first in line.</summary>
    private void Requeue(GearmanJob job)
    {
        var f = job.Function;
        var p = (int)job.Priority;
        LogAttempt(job, JobOutcome.LeaseExpired);
        StopRunning(job);
        job.Requeues++;
        job.Stage = JobStage.Queued;
        f.Queued[p]++;
        f.Queues[p].PushFront(job);
        WakeSleepersLocked(f);
    }

    private void StopRunning(GearmanJob job)
    {
        if (job.Stage != JobStage.Running) return;
        job.Function.Running--;
        if (job.Durable is not null) job.Function.DurableRunning--;
        job.Worker?.Assigned.Remove(job);
        job.Worker = null;
        job.Timer?.Dispose();
        job.Timer = null;
    }

    /// <summary>Removes a job from every table: finished, failed for good, cancelled or dropped.</summary>
    private void Forget(GearmanJob job)
    {
        var f = job.Function;
        switch (job.Stage)
        {
            case JobStage.Queued:
                f.Queued[(int)job.Priority]--;
                if (job.Durable is not null) f.DurableQueued--;
                break;
            case JobStage.Scheduled: f.Scheduled--; break;
            case JobStage.Running: StopRunning(job); break;
            case JobStage.Gone: return;
        }
        job.Stage = JobStage.Gone;
        job.Timer?.Dispose();
        job.Timer = null;
        if (job.UniqueKey is not null && f.Uniques.TryGetValue(job.UniqueKey, out var holder) && holder == job) f.Uniques.Remove(job.UniqueKey);
        if (job.Durable is { } lease) _durableJobs.Remove(lease.Id);
        else if (_memoryJobs.Remove(job.Seq)) _memoryJobCount--;
        if (job.Clients is { } clients)
        {
            foreach (var c in clients) c.Waiting.Remove(job);
            job.Clients = null;
        }
    }

    // ---- jobs with a time (SUBMIT_JOB_EPOCH, SUBMIT_JOB_SCHED, retry backoff) ------------------------------

    private void ScheduleLocked(GearmanJob job, DateTimeOffset at)
    {
        job.Stage = JobStage.Scheduled;
        job.RunAt = at;
        job.Function.Scheduled++;
        _schedule.Enqueue(job, (at, job.Seq));
        ArmScheduleTimer();
    }

    private void ArmScheduleTimer()
    {
        if (!_schedule.TryPeek(out _, out var next)) return;
        if (next.Item1 >= _scheduleTimerDue) return;
        _scheduleTimerDue = next.Item1;
        var delay = next.Item1 - _time.GetUtcNow();
        if (delay < TimeSpan.Zero) delay = TimeSpan.Zero;
        _scheduleTimer ??= _time.CreateTimer(static s => ((GearmanJobServer)s!).ScheduleDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _scheduleTimer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void ScheduleDue()
    {
        lock (_gate)
        {
            _scheduleTimerDue = DateTimeOffset.MaxValue;
            var now = _time.GetUtcNow();
            while (_schedule.TryPeek(out var job, out var due) && due.Item1 <= now)
            {
                _schedule.Dequeue();
                if (job.Stage != JobStage.Scheduled || job.RunAt != due.Item1) continue; // cancelled, or rescheduled
                job.Function.Scheduled--;
                EnqueueLocked(job);
            }
            ArmScheduleTimer();
        }
    }
}
