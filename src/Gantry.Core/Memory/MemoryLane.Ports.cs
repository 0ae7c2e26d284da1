using Gantry.Core.Jobs;
using Gantry.Core.Queues;
using Gantry.Core.Storage;

namespace Gantry.Core.Memory;

/// <summary>The memory lane behind the jobs and queues ports: every operation completes at once.</summary>
public sealed partial class MemoryLane
{
    public Task<IReadOnlyList<EnqueueResult>> JobInsertMany(IReadOnlyList<NewJob> jobs, CancellationToken ct) =>
        Task.FromResult(InsertMany(jobs));

    public Task<IReadOnlyList<LeasedJob>> JobGetAvailable(string queue, int max, DateTimeOffset now, CancellationToken ct) =>
        Task.FromResult(Lease(queue, max, now));

    public Task<IReadOnlyList<HeartbeatResult>> JobExtendLeases(IReadOnlyList<LeaseRef> leases, DateTimeOffset now, CancellationToken ct) =>
        Task.FromResult(ExtendLeases(leases, now));

    public Task<IReadOnlyList<CompletionResult>> JobSetCompleted(IReadOnlyList<Completion> completions, DateTimeOffset now, CancellationToken ct) =>
        Task.FromResult(CompleteMany(completions, now));

    public Task<IReadOnlyList<FailureResult>> JobSetFailed(IReadOnlyList<Failure> failures, FailureRules rules, DateTimeOffset now, CancellationToken ct) =>
        Task.FromResult(FailMany(failures, rules, now));

    public Task<IReadOnlyList<LeaseRef>> JobGetExpiredLeases(DateTimeOffset now, int limit, CancellationToken ct) =>
        Task.FromResult(ExpiredLeases(now, limit));

    public Task<int> JobPromoteDue(DateTimeOffset now, int limit, CancellationToken ct) => Task.FromResult(PromoteDue(now, limit));

    public Task<DateTimeOffset?> JobGetNextDueAt(CancellationToken ct) => Task.FromResult(NextDueAt());

    public Task<CancelOutcome> JobCancel(long id, DateTimeOffset now, CancellationToken ct) => Task.FromResult(Cancel(id, now));

    public Task<Job?> JobGet(long id, CancellationToken ct) => Task.FromResult(Get(id));

    public Task<Job?> JobWatchFinish(long id, CancellationToken ct)
    {
        Watch(id);
        return Task.FromResult(Get(id));
    }

    public Task<JobPage> JobList(JobQuery query, CancellationToken ct) => Task.FromResult(List(query));

    public Task<int> JobDeleteFinished(JobState state, DateTimeOffset finishedBefore, int limit, CancellationToken ct) =>
        Task.FromResult(DeleteFinished(state, finishedBefore, limit));

    public Task<IReadOnlyList<QueueSummary>> QueueList(CancellationToken ct) => Task.FromResult(Queues());

    public Task QueueSetPaused(string queue, bool paused, DateTimeOffset now, CancellationToken ct)
    {
        SetPaused(queue, paused);
        return Task.CompletedTask;
    }

    public Task QueueSetLane(string queue, string? lane, DateTimeOffset now, CancellationToken ct)
    {
        lock (_gate)
        {
            if (lane is null) _lanes.Remove(queue);
            else _lanes[queue] = lane;
        }
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<QueueSetting>> QueueListSettings(CancellationToken ct)
    {
        lock (_gate)
        {
            IReadOnlyList<QueueSetting> list = _paused.Union(_lanes.Keys).Order(StringComparer.Ordinal)
                .Select(q => new QueueSetting(q, _paused.Contains(q), _lanes.GetValueOrDefault(q))).ToList();
            return Task.FromResult(list);
        }
    }
}
