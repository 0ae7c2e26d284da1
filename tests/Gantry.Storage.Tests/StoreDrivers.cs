using Gantry.Core.Storage;
using Gantry.Storage.Postgres;
using Gantry.Storage.Sqlite;
using Gantry.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Gantry.Storage.Tests;

/// <summary>How a conformance suite gets stores of one back end; one instance per test, so each test has data of its own.</summary>
public abstract class StoreDriver : IAsyncDisposable
{
    /// <summary>A new store over this driver's data, migrated.</summary>
    public abstract Task<IStore> OpenAsync(INotifier notifier, TimeProvider time);

    /// <summary>Whether several stores (servers) may share the data at once.</summary>
    public abstract bool SupportsSeveralServers { get; }

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A real SQLite file in a fresh temp folder.</summary>
public sealed class SqliteDriver : StoreDriver
{
    private readonly TempFolder _folder = new("gantry-sqlite");

    public override bool SupportsSeveralServers => false;

    public override async Task<IStore> OpenAsync(INotifier notifier, TimeProvider time)
    {
        var store = new SqliteStore(Microsoft.Extensions.Options.Options.Create(new SqliteStoreOptions { DataDirectory = _folder.Path }),
            notifier, time, NullLogger<SqliteStore>.Instance);
        await store.MigrateAsync(default);
        return store;
    }

    public override ValueTask DisposeAsync()
    {
        _folder.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>One throw-away database for all PostgreSQL conformance tests; each test gets its own schema in it.</summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    public PostgresTestDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync() => Database = await PostgresTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await Database.DisposeAsync();
}

/// <summary>A real PostgreSQL; "several servers" are several stores on one schema.</summary>
public sealed class PostgresDriver(PostgresDatabaseFixture fixture) : StoreDriver
{
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N")[..12];
    private bool _schemaCreated;

    public override bool SupportsSeveralServers => true;

    public override async Task<IStore> OpenAsync(INotifier notifier, TimeProvider time)
    {
        if (!_schemaCreated)
        {
            await using var conn = new NpgsqlConnection(fixture.Database.ConnectionString);
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE SCHEMA {_schema}", conn);
            await cmd.ExecuteNonQueryAsync();
            _schemaCreated = true;
        }
        var cs = new NpgsqlConnectionStringBuilder(fixture.Database.ConnectionString) { SearchPath = _schema }.ToString();
        var store = new PostgresStore(Microsoft.Extensions.Options.Options.Create(new PostgresStoreOptions { ConnectionString = cs }),
            notifier, time, NullLogger<PostgresStore>.Instance);
        await store.MigrateAsync(default);
        await store.StartAsync(default);
        return store;
    }
}

/// <summary>The memory lane: node-local, so never several servers, and nothing to open.</summary>
public sealed class MemoryDriver : StoreDriver
{
    public override bool SupportsSeveralServers => false;

    public override Task<IStore> OpenAsync(INotifier notifier, TimeProvider time) =>
        Task.FromResult<IStore>(new MemoryStore(new Gantry.Core.Memory.MemoryLane(notifier,
            // History kept as long as the tests look (the lane's short default for unwatched jobs is a cost choice, not a rule).
            Microsoft.Extensions.Options.Options.Create(new Gantry.Core.Options.GantryEngineOptions
            {
                MemoryLane = new Gantry.Core.Options.MemoryLaneOptions { KeepUnwatched = 100_000 },
            }), time)));

    /// <summary>The lane as a store: its jobs and queues ports; it keeps no recurring schedules.</summary>
    private sealed class MemoryStore(Gantry.Core.Memory.MemoryLane lane) : IStore
    {
        public StoreCapabilities Capabilities => Gantry.Core.Memory.MemoryLane.Capabilities;
        public Task MigrateAsync(CancellationToken ct) => Task.CompletedTask;
        public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
        public Task StorePing(CancellationToken ct) => Task.CompletedTask;
        public IJobStore Jobs => lane;
        public IQueueStore Queues => lane;
        public IRecurringStore Recurring => throw new NotSupportedException("the memory lane keeps no recurring schedules");
        public ITopicStore Topics => throw new NotSupportedException("memory topics are not behind the store ports");
        public IGroupStore Groups => throw new NotSupportedException("memory topics are not behind the store ports");
        public IWebhookStore Webhooks => throw new NotSupportedException("the memory lane keeps no webhooks");
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
