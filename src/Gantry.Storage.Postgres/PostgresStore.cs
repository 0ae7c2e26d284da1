using Gantry.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// The shared store on PostgreSQL. Any number of Gantry servers may point at one database: leases are taken
/// with FOR UPDATE SKIP LOCKED, unique keys are a partial unique index, and LISTEN/NOTIFY tells the other
/// servers when jobs become available or a watched job finishes. The ports are in Jobs/, Queues/ and Recurring/.
/// </summary>
public sealed class PostgresStore : IStore
{
    private readonly NpgsqlDataSource _db;
    private readonly NpgsqlDataSource _batchDb;
    private readonly NpgsqlDataSource _extendDb;
    private readonly PostgresStoreOptions _options;
    private readonly INotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresStore> _log;
    private PostgresListener? _listener;

    public PostgresStore(IOptions<PostgresStoreOptions> options, INotifier notifier, TimeProvider time, ILogger<PostgresStore> log)
    {
        _options = options.Value;
        _notifier = notifier;
        _time = time;
        _log = log;
        var connectionString = PostgresConnectionString.WithPreparedStatements(PostgresConnectionString.Normalize(_options.ConnectionString));
        _db = new NpgsqlDataSourceBuilder(connectionString).Build();
        _batchDb = new NpgsqlDataSourceBuilder(
            PostgresConnectionString.WithSettings(connectionString, PostgresConnectionString.ForBatchStatements)).Build();
        // Heartbeats commit without waiting for the WAL flush: a lost extension only shortens a lease (see PostgresLeases).
        _extendDb = new NpgsqlDataSourceBuilder(PostgresConnectionString.WithSettings(connectionString,
            [.. PostgresConnectionString.ForBatchStatements, PostgresConnectionString.AsyncCommit])).Build();
        Jobs = new PostgresJobStore(_db, _batchDb, _extendDb, notifier);
        Queues = new PostgresQueueStore(_db, notifier);
        Recurring = new PostgresRecurringStore(_db, notifier);
    }

    public StoreCapabilities Capabilities { get; } = new("postgresql", SupportsListener: true);

    public IJobStore Jobs { get; }

    public IQueueStore Queues { get; }

    public IRecurringStore Recurring { get; }

    /// <summary>Applies migrations, then starts listening for the other servers' notifications.</summary>
    public async Task MigrateAsync(CancellationToken ct)
    {
        await PostgresSchema.MigrateAsync(_db, _time.GetUtcNow(), ct).ConfigureAwait(false);
        if (_listener is null)
        {
            _listener = new PostgresListener(_db, _notifier, _options.ListenerRetryDelay, _log);
            await _listener.Ready.WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_listener is not null) await _listener.DisposeAsync().ConfigureAwait(false);
        await _extendDb.DisposeAsync().ConfigureAwait(false);
        await _batchDb.DisposeAsync().ConfigureAwait(false);
        await _db.DisposeAsync().ConfigureAwait(false);
    }
}
