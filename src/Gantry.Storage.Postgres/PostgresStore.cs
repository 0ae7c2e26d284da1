using Gantry.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// The shared store on PostgreSQL. Any number of Gantry servers may point at one database: leases are taken
/// with FOR UPDATE SKIP LOCKED, unique keys are a partial unique index, and LISTEN/NOTIFY tells the other
/// servers when jobs become available or a watched job finishes. The ports are in Jobs/, Queues/, Recurring/ and Topics/.
/// </summary>
public sealed class PostgresStore : IStore
{
    private readonly NpgsqlDataSource _db;
    private readonly NpgsqlDataSource _batchDb;
    private readonly NpgsqlDataSource _extendDb;
    private readonly NpgsqlDataSource _settleDb;
    private readonly PostgresStoreOptions _options;
    private readonly INotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresStore> _log;
    private PostgresListener? _listener;

    private readonly PostgresCalls _calls;

    public PostgresStore(IOptions<PostgresStoreOptions> options, INotifier notifier, TimeProvider time, ILogger<PostgresStore> log,
        StoreHealth? health = null)
    {
        _calls = new PostgresCalls(health);
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
        Jobs = new PostgresJobStore(_db, _batchDb, _extendDb, notifier, _calls);
        Queues = new GuardedQueueStore(new PostgresQueueStore(_db, notifier), _calls);
        Recurring = new GuardedRecurringStore(new PostgresRecurringStore(_db, notifier), _calls);
        Topics = new GuardedTopicStore(new PostgresTopicStore(_db, notifier), _calls);
        // Consumer-group fetches, acks and nacks (these on the batch settings, as heartbeats) commit without waiting for the WAL flush: one lost in a crash of
        // PostgreSQL itself only means the message is delivered again (groups promise at least once), as a lost ack
        // does in RabbitMQ. Publishes and group settings wait for the flush.
        _settleDb = new NpgsqlDataSourceBuilder(PostgresConnectionString.WithSettings(connectionString, [PostgresConnectionString.AsyncCommit])).Build();
        Groups = new GuardedGroupStore(new PostgresGroupStore(_db, _settleDb, _extendDb, notifier), _calls);
        Webhooks = new GuardedWebhookStore(new PostgresWebhookStore(_db), _calls);
    }

    public ITopicStore Topics { get; }

    public IGroupStore Groups { get; }

    public IWebhookStore Webhooks { get; }

    public StoreCapabilities Capabilities { get; } = new("postgresql", SupportsListener: true);

    public IJobStore Jobs { get; }

    public IQueueStore Queues { get; }

    public IRecurringStore Recurring { get; }

    /// <summary>Applies migrations (and nothing else: a migrate-only run opens no listening connection).</summary>
    public Task MigrateAsync(CancellationToken ct) =>
        _calls.Safe(async c =>
        {
            await PostgresSchema.MigrateAsync(_db, _time.GetUtcNow(), c, holder =>
                _log.LogWarning("Waiting for another Gantry server's migration of this database to finish (the migration lock is held by {Holder})", holder))
                .ConfigureAwait(false);
            return true;
        }, ct);

    /// <summary>Starts listening for the other servers' notifications, and waits for the first LISTEN.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        _listener ??= new PostgresListener(_db, _notifier, _options.ListenerRetryDelay, _log);
        await _listener.Ready.WaitAsync(ct).ConfigureAwait(false);
    }

    public Task StorePing(CancellationToken ct) => _calls.Safe(async c =>
    {
        await using var cmd = _db.CreateCommand("SELECT 1");
        await cmd.ExecuteScalarAsync(c).ConfigureAwait(false);
        return true;
    }, ct);

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_listener is not null) await _listener.DisposeAsync().ConfigureAwait(false);
        await _extendDb.DisposeAsync().ConfigureAwait(false);
        await _settleDb.DisposeAsync().ConfigureAwait(false);
        await _batchDb.DisposeAsync().ConfigureAwait(false);
        await _db.DisposeAsync().ConfigureAwait(false);
    }
}
