using Gantry.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// The embedded store: a SQLite file in the data folder. Writes go through one writer thread that commits
/// concurrent callers together; reads use pooled connections. A lock file keeps a second server off the
/// same folder, since SQLite serves one server (use PostgreSQL for several). The ports are in Jobs/, Queues/,
/// Recurring/, Topics/ and Groups/, each over the shared writer and readers.
/// </summary>
public sealed class SqliteStore : IStore
{
    private readonly SqliteStoreOptions _options;
    private readonly INotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger<SqliteStore> _log;
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private FileStream? _folderLock;
    private SqliteConnection? _writerConnection;
    private SqliteWrites? _writes;
    private SqliteWriter? _writer;
    private SqliteReads? _reads;

    public SqliteStore(IOptions<SqliteStoreOptions> options, INotifier notifier, TimeProvider time, ILogger<SqliteStore> log)
    {
        _options = options.Value;
        _notifier = notifier;
        _time = time;
        _log = log;
        Jobs = new SqliteJobStore(this);
        Queues = new SqliteQueueStore(this);
        Recurring = new SqliteRecurringStore(this);
        Topics = new SqliteTopicStore(this);
        Groups = new SqliteGroupStore(this);
        Webhooks = new SqliteWebhookStore(this);
    }

    public ITopicStore Topics { get; }

    public IGroupStore Groups { get; }

    public IWebhookStore Webhooks { get; }

    public IJobStore Jobs { get; }

    public IQueueStore Queues { get; }

    public IRecurringStore Recurring { get; }

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
            _writes = new SqliteWrites(_writerConnection);
            _writer = new SqliteWriter(_writerConnection, _writes, _notifier, _options.MaxCommandsPerCommit,
                fsyncEachCommit: _options.Sync == SqliteSyncMode.Full, _log);
            _reads = new SqliteReads(new SqliteConnectionStringBuilder
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

    /// <summary>Nothing to start: one server per store, so no other server's changes to hear about.</summary>
    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;

    /// <summary>A read on the file (the store is embedded: it is reachable while the disk is).</summary>
    public Task StorePing(CancellationToken ct)
    {
        _ = Reads.JobGetNextDueAt();
        return Task.CompletedTask;
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

    internal SqliteWriter Writer => _writer ?? throw NotStarted();
    internal SqliteReads Reads => _reads ?? throw NotStarted();
    private static InvalidOperationException NotStarted() => new("The SQLite store is not open: call MigrateAsync first.");

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
