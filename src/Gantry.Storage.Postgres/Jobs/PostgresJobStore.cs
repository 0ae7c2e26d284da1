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

    private readonly PostgresCalls _calls;

    public PostgresJobStore(NpgsqlDataSource db, NpgsqlDataSource batchDb, NpgsqlDataSource extendDb, INotifier notifier, PostgresCalls calls)
    {
        _calls = calls;
        _inserts = new PostgresJobInserts(db, notifier);
        _leases = new PostgresLeases(batchDb, extendDb, notifier);
        _admin = new PostgresJobAdmin(db, notifier);
        _reads = new PostgresJobReads(db);
    }

    public Task<IReadOnlyList<EnqueueResult>> JobInsertMany(IReadOnlyList<NewJob> jobs, CancellationToken ct) => _calls.Once(c => _inserts.JobInsertMany(jobs, c), ct);

    public Task<IReadOnlyList<LeasedJob>> JobGetAvailable(string queue, int max, DateTimeOffset now, CancellationToken ct) =>
        _calls.Safe(c => _leases.JobGetAvailable(queue, max, now, c), ct);

    public Task<IReadOnlyList<HeartbeatResult>> JobExtendLeases(IReadOnlyList<LeaseRef> leases, DateTimeOffset now, CancellationToken ct) =>
        _calls.Safe(c => _leases.JobExtendLeases(leases, now, c), ct);

    public Task<IReadOnlyList<CompletionResult>> JobSetCompleted(IReadOnlyList<Completion> completions, DateTimeOffset now, CancellationToken ct) =>
        _calls.Once(c => _leases.JobSetCompleted(completions, now, c), ct);

    public Task<IReadOnlyList<FailureResult>> JobSetFailed(IReadOnlyList<Failure> failures, FailureRules rules, DateTimeOffset now, CancellationToken ct) =>
        _calls.Once(c => _leases.JobSetFailed(failures, rules, now, c), ct);

    public Task<IReadOnlyList<LeaseRef>> JobGetExpiredLeases(DateTimeOffset now, int limit, CancellationToken ct) =>
        _calls.Safe(c => _leases.JobGetExpiredLeases(now, limit, c), ct);

    public Task<int> JobPromoteDue(DateTimeOffset now, int limit, CancellationToken ct) => _calls.Safe(c => _admin.JobPromoteDue(now, limit, c), ct);

    public Task<DateTimeOffset?> JobGetNextDueAt(CancellationToken ct) => _calls.Safe(c => _admin.JobGetNextDueAt(c), ct);

    public Task<CancelOutcome> JobCancel(long id, DateTimeOffset now, CancellationToken ct) => _calls.Once(c => _admin.JobCancel(id, now, c), ct);

    public Task<Job?> JobGet(long id, CancellationToken ct) => _calls.Safe(c => _reads.JobGet(id, c), ct);

    public Task<Job?> JobWatchFinish(long id, CancellationToken ct) => _calls.Safe(async c =>
    {
        await _admin.WatchFinish(id, c).ConfigureAwait(false);
        return await _reads.JobGet(id, c).ConfigureAwait(false);
    }, ct);

    public Task<JobPage> JobList(JobQuery query, CancellationToken ct) => _calls.Safe(c => _reads.JobList(query, c), ct);

    public Task<int> JobDeleteFinished(JobState state, DateTimeOffset finishedBefore, int limit, CancellationToken ct) =>
        _calls.Safe(c => _admin.JobDeleteFinished(state, finishedBefore, limit, c), ct);
}
