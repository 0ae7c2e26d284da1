using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Queues;
using Gantry.Core.Recurring;
using Gantry.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// The shared store on PostgreSQL. Any number of Gantry servers may point at one database: leases are taken
/// with FOR UPDATE SKIP LOCKED, unique keys are a partial unique index, and LISTEN/NOTIFY tells the other
/// servers when jobs become available or a watched job finishes.
/// </summary>
public sealed class PostgresJobStore : IJobStore
{
    private readonly NpgsqlDataSource _db;
    private readonly NpgsqlDataSource _batchDb;
    private readonly NpgsqlDataSource _leaseDb;
    private readonly PostgresStoreOptions _options;
    private readonly JobSignals _signals;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresJobStore> _log;
    private readonly PostgresJobInserts _inserts;
    private readonly PostgresLeases _leases;
    private readonly PostgresJobAdmin _admin;
    private readonly PostgresJobReads _reads;
    private readonly PostgresRecurring _recurring;
    private PostgresListener? _listener;

    public PostgresJobStore(IOptions<PostgresStoreOptions> options, JobSignals signals, TimeProvider time, ILogger<PostgresJobStore> log)
    {
        _options = options.Value;
        _signals = signals;
        _time = time;
        _log = log;
        var connectionString = PostgresConnectionString.WithPreparedStatements(PostgresConnectionString.Normalize(_options.ConnectionString));
        _db = new NpgsqlDataSourceBuilder(connectionString).Build();
        _batchDb = new NpgsqlDataSourceBuilder(
            PostgresConnectionString.WithSettings(connectionString, PostgresConnectionString.ForBatchStatements)).Build();
        // Granting and extending leases commit without waiting for the WAL flush: losing one in a database crash only
        // means the job runs again, which at-least-once allows, and it spares the hot fetch path a disk wait.
        _leaseDb = new NpgsqlDataSourceBuilder(PostgresConnectionString.WithSettings(connectionString,
            [.. PostgresConnectionString.ForBatchStatements, PostgresConnectionString.AsyncCommit])).Build();
        _inserts = new PostgresJobInserts(_db, signals);
        _leases = new PostgresLeases(_batchDb, _leaseDb, signals);
        _admin = new PostgresJobAdmin(_db, signals);
        _reads = new PostgresJobReads(_db);
        _recurring = new PostgresRecurring(_db, signals);
    }

    public StoreCapabilities Capabilities { get; } = new("postgresql", SupportsListener: true);

    /// <summary>Applies migrations, then starts listening for the other servers' notifications.</summary>
    public async Task MigrateAsync(CancellationToken ct)
    {
        await PostgresSchema.MigrateAsync(_db, _time.GetUtcNow(), ct).ConfigureAwait(false);
        if (_listener is null)
        {
            _listener = new PostgresListener(_db, _signals, _options.ListenerRetryDelay, _log);
            await _listener.Ready.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    public Task<IReadOnlyList<EnqueueResult>> JobInsertMany(IReadOnlyList<NewJob> jobs, CancellationToken ct) =>
        _inserts.InsertAsync(jobs, ct);

    public Task<IReadOnlyList<LeasedJob>> JobGetAvailable(string queue, int max, string? workerId, DateTimeOffset now, CancellationToken ct) =>
        _leases.LeaseAsync(queue, max, now, ct);

    public Task<IReadOnlyList<HeartbeatResult>> JobExtendLeases(IReadOnlyList<LeaseRef> leases, DateTimeOffset now, CancellationToken ct) =>
        _leases.ExtendAsync(leases, now, ct);

    public Task<IReadOnlyList<CompletionResult>> JobSetCompleted(IReadOnlyList<Completion> completions, DateTimeOffset now, CancellationToken ct) =>
        _leases.CompleteAsync(completions, now, ct);

    public Task<IReadOnlyList<FailureResult>> JobSetFailed(IReadOnlyList<Failure> failures, FailureRules rules, DateTimeOffset now, CancellationToken ct) =>
        _leases.FailAsync(failures, rules, now, ct);

    public Task<IReadOnlyList<LeaseRef>> JobGetExpiredLeases(DateTimeOffset now, int limit, CancellationToken ct) =>
        _leases.ExpiredAsync(now, limit, ct);

    public Task<int> JobPromoteDue(DateTimeOffset now, int limit, CancellationToken ct) => _admin.PromoteDueAsync(now, limit, ct);

    public Task<DateTimeOffset?> JobGetNextDueAt(CancellationToken ct) => _admin.NextDueAtAsync(ct);

    public Task<CancelOutcome> JobCancel(long id, DateTimeOffset now, CancellationToken ct) => _admin.CancelAsync(id, now, ct);

    public Task<Job?> JobGet(long id, CancellationToken ct) => _reads.GetAsync(id, ct);

    public async Task<Job?> JobWatchFinish(long id, CancellationToken ct)
    {
        await _admin.WatchFinishAsync(id, ct).ConfigureAwait(false);
        return await _reads.GetAsync(id, ct).ConfigureAwait(false);
    }

    public Task<JobPage> JobList(JobQuery query, CancellationToken ct) => _reads.ListAsync(query, ct);

    public Task<int> JobDeleteFinished(JobState state, DateTimeOffset finishedBefore, int limit, CancellationToken ct) =>
        _admin.DeleteFinishedAsync(state, finishedBefore, limit, ct);

    public Task<IReadOnlyList<QueueSummary>> QueueList(CancellationToken ct) => _reads.QueuesAsync(ct);

    public Task QueueSetPaused(string queue, bool paused, DateTimeOffset now, CancellationToken ct) =>
        _admin.SetPausedAsync(queue, paused, now, ct);

    public Task RecurringSave(RecurringSchedule schedule, CancellationToken ct) => _recurring.SaveAsync(schedule, ct);

    public Task<RecurringSchedule?> RecurringGet(string name, CancellationToken ct) => _recurring.GetAsync(name, ct);

    public Task<IReadOnlyList<RecurringSchedule>> RecurringList(CancellationToken ct) => _recurring.ListAsync(ct);

    public Task<bool> RecurringDelete(string name, CancellationToken ct) => _recurring.DeleteAsync(name, ct);

    public Task<IReadOnlyList<RecurringSchedule>> RecurringGetDue(DateTimeOffset now, int limit, CancellationToken ct) =>
        _recurring.DueAsync(now, limit, ct);

    public Task<DateTimeOffset?> RecurringGetNextFireAt(CancellationToken ct) => _recurring.NextFireAtAsync(ct);

    public Task<RecurringFireResult> RecurringFire(RecurringFire fire, CancellationToken ct) => _recurring.FireAsync(fire, ct);

    public Task<IReadOnlyList<RecurringFireRecord>> RecurringListFires(string name, int limit, CancellationToken ct) =>
        _recurring.ListFiresAsync(name, limit, ct);

    public Task<int> RecurringDeleteFiresBefore(DateTimeOffset cutoff, int limit, CancellationToken ct) =>
        _recurring.DeleteFiresBeforeAsync(cutoff, limit, ct);

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_listener is not null) await _listener.DisposeAsync().ConfigureAwait(false);
        await _leaseDb.DisposeAsync().ConfigureAwait(false);
        await _batchDb.DisposeAsync().ConfigureAwait(false);
        await _db.DisposeAsync().ConfigureAwait(false);
    }
}
