using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Queues;
using Gantry.Core.Recurring;
using Gantry.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// The embedded store: a SQLite file in the data folder. Writes go through one writer thread that commits
/// concurrent callers together; reads use pooled connections. A lock file keeps a second server off the
/// same folder, since SQLite serves one server (use PostgreSQL for several).
/// </summary>
public sealed class SqliteJobStore : IJobStore
{
    private readonly SqliteStoreOptions _options;
    private readonly JobSignals _signals;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteJobStore> _log;
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private FileStream? _folderLock;
    private SqliteConnection? _writerConnection;
    private SqliteJobWrites? _writes;
    private SqliteWriter? _writer;
    private SqliteJobReads? _reads;

    public SqliteJobStore(IOptions<SqliteStoreOptions> options, JobSignals signals, TimeProvider time, ILogger<SqliteJobStore> log)
    {
        _options = options.Value;
        _signals = signals;
        _time = time;
        _log = log;
    }

    public StoreCapabilities Capabilities { get; } = new("sqlite", SupportsListener: false);

    /// <summary>Opens the data folder (creating it), takes its lock, and applies migrations. Call once before anything else.</summary>
    public async Task MigrateAsync(CancellationToken ct)
    {
        await _startLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_writer is not null) return;
            var path = _options.DatabasePath;
            var folder = Path.GetDirectoryName(path)!;
            Directory.CreateDirectory(folder);
            _folderLock = LockFolder(folder);

            var writerCs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString();
            _writerConnection = new SqliteConnection(writerCs);
            _writerConnection.Open();
            using (var pragma = _writerConnection.CreateCommand())
            {
                // WAL: readers never block the writer. synchronous decides whether each commit is fsynced (see SqliteSyncMode).
                pragma.CommandText = $"""
                    PRAGMA journal_mode = WAL;
                    PRAGMA synchronous = {(_options.Sync == SqliteSyncMode.Full ? "FULL" : "NORMAL")};
                    PRAGMA busy_timeout = 5000;
                    PRAGMA temp_store = MEMORY;
                    """;
                pragma.ExecuteNonQuery();
            }
            SqliteSchema.Migrate(_writerConnection, _time.GetUtcNow());
            _writes = new SqliteJobWrites(_writerConnection);
            _writer = new SqliteWriter(_writerConnection, _writes, _signals, _options.MaxCommandsPerCommit,
                fsyncEachCommit: _options.Sync == SqliteSyncMode.Full, _log);
            _reads = new SqliteJobReads(new SqliteConnectionStringBuilder
            {
                DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = true,
            }.ToString());
            _log.LogInformation("SQLite store at {Path} (synchronous={Sync})", path, _options.Sync);
        }
        finally
        {
            _startLock.Release();
        }
    }

    private static FileStream LockFolder(string folder)
    {
        var lockPath = Path.Combine(folder, "gantry.lock");
        try
        {
            // FileShare.None takes an exclusive lock that the OS drops when the process dies, even by kill -9.
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            throw new InvalidOperationException(
                $"Another Gantry server is using the data folder {folder} (it holds {lockPath}). " +
                "Stop it, or give this server another data folder; several servers share a PostgreSQL store, not a SQLite one.");
        }
    }

    private SqliteWriter Writer => _writer ?? throw NotStarted();
    private SqliteJobReads Reads => _reads ?? throw NotStarted();
    private static InvalidOperationException NotStarted() => new("The SQLite store is not open: call MigrateAsync first.");

    public Task<IReadOnlyList<EnqueueResult>> JobInsertMany(IReadOnlyList<NewJob> jobs, CancellationToken ct) =>
        Writer.Run(w => w.InsertJobs(jobs));

    public Task<IReadOnlyList<LeasedJob>> JobGetAvailable(string queue, int max, string? workerId, DateTimeOffset now, CancellationToken ct) =>
        Writer.Run(w => w.LeaseJobs(queue, max, now), durable: false);

    public Task<IReadOnlyList<HeartbeatResult>> JobExtendLeases(IReadOnlyList<LeaseRef> leases, DateTimeOffset now, CancellationToken ct) =>
        Writer.Run(w => w.ExtendLeases(leases, now), durable: false);

    public Task<IReadOnlyList<CompletionResult>> JobSetCompleted(IReadOnlyList<Completion> completions, DateTimeOffset now, CancellationToken ct) =>
        Writer.Run(w => w.CompleteJobs(completions, now));

    public Task<IReadOnlyList<FailureResult>> JobSetFailed(IReadOnlyList<Failure> failures, FailureRules rules, DateTimeOffset now, CancellationToken ct) =>
        Writer.Run(w => w.FailJobs(failures, rules, now));

    public Task<IReadOnlyList<LeaseRef>> JobGetExpiredLeases(DateTimeOffset now, int limit, CancellationToken ct) =>
        Task.FromResult(Reads.ExpiredLeases(now, limit));

    public Task<int> JobPromoteDue(DateTimeOffset now, int limit, CancellationToken ct) =>
        Writer.Run(w => w.PromoteDue(now, limit));

    public Task<DateTimeOffset?> JobGetNextDueAt(CancellationToken ct) => Task.FromResult(Reads.NextDueAt());

    public Task<CancelOutcome> JobCancel(long id, DateTimeOffset now, CancellationToken ct) => Writer.Run(w => w.Cancel(id, now));

    public Task<Job?> JobGet(long id, CancellationToken ct) => Task.FromResult(Reads.Get(id));

    // One server per SQLite store: its own finishes are announced in-process, so there is nothing to ask for.
    public Task<Job?> JobWatchFinish(long id, CancellationToken ct) => JobGet(id, ct);

    public Task<JobPage> JobList(JobQuery query, CancellationToken ct) => Task.FromResult(Reads.List(query));

    public Task<int> JobDeleteFinished(JobState state, DateTimeOffset finishedBefore, int limit, CancellationToken ct) =>
        Writer.Run(w => w.DeleteFinished(state, finishedBefore, limit));

    public Task<IReadOnlyList<QueueSummary>> QueueList(CancellationToken ct) => Task.FromResult(Reads.Queues());

    public Task QueueSetPaused(string queue, bool paused, DateTimeOffset now, CancellationToken ct) =>
        Writer.Run(w => w.SetPaused(queue, paused, now));

    public Task RecurringSave(RecurringSchedule schedule, CancellationToken ct) => Writer.Run(w => w.SaveRecurring(schedule));

    public Task<RecurringSchedule?> RecurringGet(string name, CancellationToken ct) => Task.FromResult(Reads.GetRecurring(name));

    public Task<IReadOnlyList<RecurringSchedule>> RecurringList(CancellationToken ct) => Task.FromResult(Reads.ListRecurring());

    public Task<bool> RecurringDelete(string name, CancellationToken ct) => Writer.Run(w => w.DeleteRecurring(name));

    public Task<IReadOnlyList<RecurringSchedule>> RecurringGetDue(DateTimeOffset now, int limit, CancellationToken ct) =>
        Task.FromResult(Reads.DueRecurring(now, limit));

    public Task<DateTimeOffset?> RecurringGetNextFireAt(CancellationToken ct) => Task.FromResult(Reads.NextRecurringFireAt());

    public Task<RecurringFireResult> RecurringFire(RecurringFire fire, CancellationToken ct) => Writer.Run(w => w.FireRecurring(fire));

    public Task<IReadOnlyList<RecurringFireRecord>> RecurringListFires(string name, int limit, CancellationToken ct) =>
        Task.FromResult(Reads.ListRecurringFires(name, limit));

    public Task<int> RecurringDeleteFiresBefore(DateTimeOffset cutoff, int limit, CancellationToken ct) =>
        Writer.Run(w => w.DeleteRecurringFiresBefore(cutoff, limit));

    public ValueTask DisposeAsync()
    {
        _writer?.Dispose();
        _writes?.Dispose();
        _writerConnection?.Dispose();
        _folderLock?.Dispose();
        SqliteConnection.ClearAllPools();
        _writer = null;
        _reads = null;
        return ValueTask.CompletedTask;
    }
}
