using Gantry.Core.Jobs;
using Gantry.Core.Storage;
using Npgsql;

namespace Gantry.Storage.Postgres;

/// <summary>The jobs port on PostgreSQL: inserts, the worker side (leases), the server's own writes, and reads, each in
/// a file of its own with the port's operation names.</summary>
internal sealed class PostgresJobStore : IJobStore
{
    private readonly PostgresJobInserts _inserts;
    private readonly PostgresLeases _leases;
    private readonly PostgresJobAdmin _admin;
    private readonly PostgresJobReads _reads;

    public PostgresJobStore(NpgsqlDataSource db, NpgsqlDataSource batchDb, NpgsqlDataSource extendDb, INotifier notifier)
    {
        _inserts = new PostgresJobInserts(db, notifier);
        _leases = new PostgresLeases(batchDb, extendDb, notifier);
        _admin = new PostgresJobAdmin(db, notifier);
        _reads = new PostgresJobReads(db);
    }

    public Task<IReadOnlyList<EnqueueResult>> JobInsertMany(IReadOnlyList<NewJob> jobs, CancellationToken ct) => _inserts.JobInsertMany(jobs, ct);

    public Task<IReadOnlyList<LeasedJob>> JobGetAvailable(string queue, int max, DateTimeOffset now, CancellationToken ct) =>
        _leases.JobGetAvailable(queue, max, now, ct);

    public Task<IReadOnlyList<HeartbeatResult>> JobExtendLeases(IReadOnlyList<LeaseRef> leases, DateTimeOffset now, CancellationToken ct) =>
        _leases.JobExtendLeases(leases, now, ct);

    public Task<IReadOnlyList<CompletionResult>> JobSetCompleted(IReadOnlyList<Completion> completions, DateTimeOffset now, CancellationToken ct) =>
        _leases.JobSetCompleted(completions, now, ct);

    public Task<IReadOnlyList<FailureResult>> JobSetFailed(IReadOnlyList<Failure> failures, FailureRules rules, DateTimeOffset now, CancellationToken ct) =>
        _leases.JobSetFailed(failures, rules, now, ct);

    public Task<IReadOnlyList<LeaseRef>> JobGetExpiredLeases(DateTimeOffset now, int limit, CancellationToken ct) =>
        _leases.JobGetExpiredLeases(now, limit, ct);

    public Task<int> JobPromoteDue(DateTimeOffset now, int limit, CancellationToken ct) => _admin.JobPromoteDue(now, limit, ct);

    public Task<DateTimeOffset?> JobGetNextDueAt(CancellationToken ct) => _admin.JobGetNextDueAt(ct);

    public Task<CancelOutcome> JobCancel(long id, DateTimeOffset now, CancellationToken ct) => _admin.JobCancel(id, now, ct);

    public Task<Job?> JobGet(long id, CancellationToken ct) => _reads.JobGet(id, ct);

    public async Task<Job?> JobWatchFinish(long id, CancellationToken ct)
    {
        await _admin.WatchFinish(id, ct).ConfigureAwait(false);
        return await _reads.JobGet(id, ct).ConfigureAwait(false);
    }

    public Task<JobPage> JobList(JobQuery query, CancellationToken ct) => _reads.JobList(query, ct);

    public Task<int> JobDeleteFinished(JobState state, DateTimeOffset finishedBefore, int limit, CancellationToken ct) =>
        _admin.JobDeleteFinished(state, finishedBefore, limit, ct);
}
