using Gantry.Core.Engine;
using Gantry.Core.Storage;
using Gantry.Storage.Postgres;
using Gantry.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Gantry.Storage.Tests;

/// <summary>One throw-away database for all PostgreSQL conformance tests; each test gets its own schema in it.</summary>
public sealed class PostgresDatabaseFixture : IAsyncLifetime
{
    public PostgresTestDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync() => Database = await PostgresTestDatabase.CreateAsync();

    public async Task DisposeAsync() => await Database.DisposeAsync();
}

/// <summary>The conformance suite on a real PostgreSQL; "several servers" are several stores on one schema.</summary>
public sealed class PostgresConformanceTests(PostgresDatabaseFixture fixture) : JobStoreConformance, IClassFixture<PostgresDatabaseFixture>
{
    private readonly string _schema = "t_" + Guid.NewGuid().ToString("N")[..12];
    private bool _schemaCreated;

    protected override bool SupportsSeveralServers => true;

    protected override async Task<IJobStore> OpenStoreAsync(JobSignals signals, TimeProvider time)
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
        var store = new PostgresJobStore(Microsoft.Extensions.Options.Options.Create(new PostgresStoreOptions { ConnectionString = cs }),
            signals, time, NullLogger<PostgresJobStore>.Instance);
        await store.MigrateAsync(default);
        return store;
    }
}
