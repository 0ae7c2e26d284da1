using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Npgsql;
using Xunit;

namespace Gantry.Server.Tests.Cli;

/// <summary><c>gantry migrate</c>: creates the schema of a fresh store, is safe to repeat, and safe to run twice at once.</summary>
public sealed class MigrateCommandTests
{
    private static void AssertMigrated(ProcessResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Store is migrated.", r.Stdout);
    }

    [Fact]
    public async Task Migrate_creates_the_store_in_a_fresh_sqlite_folder_and_can_run_again()
    {
        using var folder = new TempFolder("gantry-migrate");
        var data = Path.Combine(folder.Path, "nested", "data");

        AssertMigrated(await GantryCli.RunAsync(["migrate", "--data", data]));
        Assert.True(File.Exists(Path.Combine(data, "gantry.db")));
        AssertMigrated(await GantryCli.RunAsync(["migrate", "--data", data]));
    }

    [Fact]
    public async Task Migrate_on_postgres_creates_the_tables_and_can_run_again()
    {
        await using var db = await PostgresTestDatabase.CreateAsync();

        AssertMigrated(await GantryCli.RunAsync(["migrate", "--store", db.ConnectionString]));
        AssertMigrated(await GantryCli.RunAsync(["migrate", "--store", db.ConnectionString]));

        Assert.Equal(0L, await CountJobsAsync(db.ConnectionString));
    }

    [Fact]
    public async Task Two_migrations_started_together_on_a_fresh_postgres_database_both_succeed()
    {
        await using var db = await PostgresTestDatabase.CreateAsync();

        var results = await Task.WhenAll(
            GantryCli.RunAsync(["migrate", "--store", db.ConnectionString]),
            GantryCli.RunAsync(["migrate", "--store", db.ConnectionString]));

        foreach (var r in results) AssertMigrated(r);
        Assert.Equal(0L, await CountJobsAsync(db.ConnectionString));
    }

    [Fact]
    public async Task Two_servers_starting_together_on_a_fresh_postgres_database_both_migrate_it_and_serve()
    {
        await using var store = await TestStore.PostgresAsync();

        var servers = await Task.WhenAll(InProcessServer.StartAsync(store), InProcessServer.StartAsync(store));
        try
        {
            var id = await servers[0].Http.EnqueueAsync(Names.Queue());
            Assert.Equal("available", await servers[1].Http.StateOfAsync(id));
        }
        finally
        {
            foreach (var s in servers) await s.DisposeAsync();
        }
    }

    [Fact]
    public async Task Server_starts_on_a_store_that_migrate_prepared_and_keeps_its_jobs()
    {
        await using var store = TestStore.Sqlite();
        AssertMigrated(await GantryCli.RunAsync(["migrate", .. store.CliArguments]));

        await using var server = await InProcessServer.StartAsync(store);
        var id = await server.Http.EnqueueAsync(Names.Queue());
        Assert.Equal("available", await server.Http.StateOfAsync(id));
    }

    private static async Task<long> CountJobsAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM gantry_jobs", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
