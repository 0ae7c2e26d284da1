using Gantry.Core.Jobs;
using Gantry.Core.Storage;

namespace Gantry.Storage.Sqlite;

/// <summary>The jobs port on SQLite: writes go to the group-committing writer thread, reads to pooled connections.</summary>
internal sealed class SqliteJobStore(SqliteStore store) : IJobStore
{
    public Task<IReadOnlyList<EnqueueResult>> JobInsertMany(IReadOnlyList<NewJob> jobs, CancellationToken ct) =>
        store.Writer.Run(w => w.JobInsertMany(jobs));

    // Granting a lease is durable like any other write: a lease lost in a power cut would be granted again under
    // the same attempt, and the two workers' reports could not be told apart.
    public Task<IReadOnlyList<LeasedJob>> JobGetAvailable(string queue, int max, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.JobGetAvailable(queue, max, now));

    // An extension lost in a power cut only shortens the lease: the job may be taken back early and run again under a
    // new attempt, which at-least-once allows. So a commit of extensions alone skips the fsync.
    public Task<IReadOnlyList<HeartbeatResult>> JobExtendLeases(IReadOnlyList<LeaseRef> leases, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.JobExtendLeases(leases, now), durable: false);

    public Task<IReadOnlyList<CompletionResult>> JobSetCompleted(IReadOnlyList<Completion> completions, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.JobSetCompleted(completions, now));

    public Task<IReadOnlyList<FailureResult>> JobSetFailed(IReadOnlyList<Failure> failures, FailureRules rules, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.JobSetFailed(failures, rules, now));

    public Task<IReadOnlyList<LeaseRef>> JobGetExpiredLeases(DateTimeOffset now, int limit, CancellationToken ct) =>
        Task.FromResult(store.Reads.JobGetExpiredLeases(now, limit));

    public Task<int> JobPromoteDue(DateTimeOffset now, int limit, CancellationToken ct) =>
        store.Writer.Run(w => w.JobPromoteDue(now, limit));

    public Task<DateTimeOffset?> JobGetNextDueAt(CancellationToken ct) => Task.FromResult(store.Reads.JobGetNextDueAt());

    public Task<CancelOutcome> JobCancel(long id, DateTimeOffset now, CancellationToken ct) => store.Writer.Run(w => w.JobCancel(id, now));

    public Task<Job?> JobGet(long id, CancellationToken ct) => Task.FromResult(store.Reads.JobGet(id));

    // One server per SQLite store: its own finishes are announced in-process, so there is nothing to ask for.
    public Task<Job?> JobWatchFinish(long id, CancellationToken ct) => JobGet(id, ct);

    public Task<JobPage> JobList(JobQuery query, CancellationToken ct) => Task.FromResult(store.Reads.JobList(query));

    public Task<int> JobDeleteFinished(JobState state, DateTimeOffset finishedBefore, int limit, CancellationToken ct) =>
        store.Writer.Run(w => w.JobDeleteFinished(state, finishedBefore, limit));
}
