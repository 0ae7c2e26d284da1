namespace Gantry.Testing;

/// <summary>
/// Where a server under test keeps its jobs: a fresh SQLite data folder, or a fresh database in the throw-away
/// PostgreSQL cluster. The same store can be handed to an in-process server (as settings) or to <c>gantry server</c>
/// (as command-line options), and outlives the servers that use it, so a restarted server finds the data again.
/// </summary>
public abstract class TestStore : IAsyncDisposable
{
    /// <summary>"sqlite" or "postgresql", as the server's /health reports it.</summary>
    public abstract string Kind { get; }

    /// <summary>The configuration keys that point a server at this store.</summary>
    public abstract IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>The <c>gantry server</c> / <c>gantry migrate</c> options that point at this store.</summary>
    public abstract IReadOnlyList<string> CliArguments { get; }

    public static TestStore Sqlite() => new SqliteStore(new TempFolder("gantry-server-test"));

    public static async Task<TestStore> PostgresAsync() => new PostgresStore(await PostgresTestDatabase.CreateAsync());

    /// <summary>The <c>postgres</c> database of a test's own cluster (which the test disposes).</summary>
    public static TestStore On(PostgresCluster cluster) => new ClusterStore(cluster.ConnectionString);

    public abstract ValueTask DisposeAsync();

    public override string ToString() => Kind;

    private sealed class SqliteStore(TempFolder folder) : TestStore
    {
        public override string Kind => "sqlite";
        public override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Gantry:Data"] = folder.Path };
        public override IReadOnlyList<string> CliArguments => ["--data", folder.Path];

        public override ValueTask DisposeAsync()
        {
            folder.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class ClusterStore(string connectionString) : TestStore
    {
        public override string Kind => "postgresql";
        public override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Gantry:Store"] = connectionString };
        public override IReadOnlyList<string> CliArguments => ["--store", connectionString];
        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private sealed class PostgresStore(PostgresTestDatabase database) : TestStore
    {
        public override string Kind => "postgresql";
        public override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Gantry:Store"] = database.ConnectionString };
        public override IReadOnlyList<string> CliArguments => ["--store", database.ConnectionString];
        public override ValueTask DisposeAsync() => database.DisposeAsync();
    }
}
