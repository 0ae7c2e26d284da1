using Npgsql;

namespace Gantry.Testing;

/// <summary>
/// A fresh database in the throw-away PostgreSQL cluster that the test command starts. The cluster's
/// connection string arrives in <c>GANTRY_TEST_POSTGRES</c>; each test class gets its own database, dropped
/// on dispose.
/// </summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string EnvironmentVariable = "GANTRY_TEST_POSTGRES";

    private readonly string _admin;

    private PostgresTestDatabase(string admin, string name, string connectionString) =>
        (_admin, Name, ConnectionString) = (admin, name, connectionString);

    public string Name { get; }
    public string ConnectionString { get; }

    public static string ClusterConnectionString =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"{EnvironmentVariable} is not set. Run the tests with ./test.sh, which starts a throw-away PostgreSQL cluster, " +
                $"or point {EnvironmentVariable} at a PostgreSQL server where this user may create databases.");

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var admin = ClusterConnectionString;
        var name = "gantry_test_" + Guid.NewGuid().ToString("N")[..16];
        await using (var conn = new NpgsqlConnection(admin))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var cs = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ToString();
        return new PostgresTestDatabase(admin, name, cs);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var conn = new NpgsqlConnection(_admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
