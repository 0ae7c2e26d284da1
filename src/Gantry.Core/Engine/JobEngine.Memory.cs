using Gantry.Core.Jobs;
using Gantry.Core.Memory;

namespace Gantry.Core.Engine;

/// <summary>
/// The memory lane's operations as a protocol front calls them on its hot path: synchronous (nothing to wait for),
/// one job at a time, with the same rules as every other call (<see cref="EnqueueRules"/>, <see cref="FailureRules"/>,
/// the result limit) and the same job log. The Gearman front uses these for the functions it keeps in memory.
/// </summary>
public sealed partial class JobEngine
{
    /// <summary>Enqueues into the memory lane, whatever the queue's setting (the front decided the lane).</summary>
    public EnqueueResult EnqueueInMemory(in EnqueueRequest request, FrontLimits? front = null)
    {
        var job = _enqueueRules.Apply(request, _time.GetUtcNow(), front: front);
        return _memory.Insert(job);
    }

    /// <summary>Leases the best memory job among <paramref name="queues"/> whose priority is at least
    /// <paramref name="atLeastPriority"/>; null when there is none.</summary>
    public bool LeaseFromMemory(ReadOnlySpan<string> queues, int? atLeastPriority, out MemoryLease lease) =>
        _memory.LeaseBest(queues, atLeastPriority, _time.GetUtcNow(), out lease);

    /// <remarks>byFollower: The front that follows the job (<see cref="FollowMemoryJob"/>) completes it and has told
    /// its clients: the end is announced only to those who watch it.</remarks>
    public LeaseStatus CompleteInMemory(in Completion completion, bool byFollower = false)
    {
        CheckResult(completion, "result");
        var now = _time.GetUtcNow();
        var result = _memory.Complete(completion, now, byFollower);
        _jobLog?.Completed(completion, result, now);
        return result.Status;
    }

    public FailureResult FailInMemory(in Failure failure)
    {
        var now = _time.GetUtcNow();
        var result = _memory.Fail(failure, FailureRules, now);
        _jobLog?.Failed(failure, result, now);
        return result;
    }

    public IReadOnlyList<HeartbeatResult> ExtendInMemory(IReadOnlyList<LeaseRef> leases) => _memory.ExtendLeases(leases, _time.GetUtcNow());

    public CancelOutcome CancelInMemory(long id) => _memory.Cancel(id, _time.GetUtcNow());

    /// <summary>Asks that the memory job's end be announced to the front that keeps a record of it, whoever finishes
    /// the job, without keeping the finished job longer for reading (Gearman forgets a job at its end).</summary>
    public void FollowMemoryJob(long id) => _memory.Follow(id);

    /// <summary>A memory job's state, or null when the lane does not hold it.</summary>
    public JobState? StateOfMemoryJob(long id) => _memory.StateOf(id);
}
