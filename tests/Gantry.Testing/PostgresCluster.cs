namespace Gantry.Testing;

/// <summary>
/// A PostgreSQL cluster of a test's own (scripts/pg-throwaway.sh), for fault tests that stop, crash and restart the
/// database under a running server, which the shared cluster of the test run must never do. About two seconds to start.
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private readonly string _dir;
    private readonly string _script;

    private PostgresCluster(string dir, string script, string connectionString) =>
        (_dir, _script, ConnectionString) = (dir, script, connectionString);

    /// <summary>The cluster's <c>postgres</c> database; add <c>;Database=…</c> for another.</summary>
    public string ConnectionString { get; }

    /// <param name="durable">fsync on (the default durability), for tests that must see what survives a crash.</param>
    public static async Task<PostgresCluster> StartAsync(bool durable = true)
    {
        var script = Path.Combine(RepoRoot(), "scripts", "pg-throwaway.sh");
        var dir = Path.Combine(Path.GetTempPath(), "gantry-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var env = new Dictionary<string, string?> { ["PG_EXTRA_OPTS"] = durable ? "" : "-c fsync=off -c full_page_writes=off" };
        var r = await ChildProcess.RunAsync("bash", [script, "start", dir], env);
        if (r.ExitCode != 0) throw new InvalidOperationException($"could not start a PostgreSQL cluster: {r}");
        return new PostgresCluster(dir, script, r.Stdout.Trim());
    }

    /// <summary>Stops the database at once, as a crash would (no checkpoint, connections cut).</summary>
    public Task HaltAsync() => RunAsync("halt");

    /// <summary>Starts a halted database again on its port; crash recovery runs first.</summary>
    public Task ResumeAsync() => RunAsync("resume");

    /// <summary><c>pg_ctl restart -m immediate</c>: a crash and a restart.</summary>
    public Task CrashAsync() => RunAsync("crash");

    private async Task RunAsync(string command)
    {
        var r = await ChildProcess.RunAsync("bash", [_script, command, _dir]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"pg-throwaway.sh {command} failed: {r}");
    }

    public async ValueTask DisposeAsync() => await ChildProcess.RunAsync("bash", [_script, "stop", _dir]);

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Gantry.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Gantry.slnx.");
    }
}
