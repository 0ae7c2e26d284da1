using System.Text;
using Gantry.Testing;
using Gantry.Workers.Status;

namespace Gantry.Workers.Tests.Infrastructure;

/// <summary>
/// <c>gantry workers --config FILE</c> as a child process of the test, in a folder of its own that also holds the
/// scripts the pools run. Tests read its status file and log, and signal it as an operator would.
/// </summary>
public sealed class WorkerManager : IAsyncDisposable
{
    private WorkerManager(TempFolder folder, ChildProcess process) => (Folder, Process) = (folder, process);

    public TempFolder Folder { get; }
    public ChildProcess Process { get; }
    public string ConfigPath => Path.Combine(Folder.Path, "workers.yaml");
    public string StatusPath => ConfigPath + ".status.json";

    /// <summary>A folder with the workers file and scripts, before the manager starts (see <see cref="StartAsync"/>).</summary>
    public static TempFolder NewFolder() => new("gantry-workers-test");

    /// <summary>Writes an executable shell script into <paramref name="folder"/>.</summary>
    public static string Script(TempFolder folder, string name, string body)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("The worker manager tests run shell scripts.");
        var path = Path.Combine(folder.Path, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.ReplaceLineEndings("\n"), new UTF8Encoding(false));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Writes <paramref name="yaml"/> as workers.yaml in <paramref name="folder"/> and starts the manager on it.</summary>
    public static async Task<WorkerManager> StartAsync(ServerFixture server, TempFolder folder, string yaml, params string[] extraArguments)
    {
        File.WriteAllText(Path.Combine(folder.Path, "workers.yaml"), yaml);
        var process = GantryCli.Start(["workers", "--config", Path.Combine(folder.Path, "workers.yaml"), "--server", server.BaseAddress.ToString(), .. extraArguments],
            workingDirectory: folder.Path);
        var manager = new WorkerManager(folder, process);
        await process.WaitForLineAsync(l => l.Contains("worker manager started"), "the 'worker manager started' line");
        return manager;
    }

    public void Rewrite(string yaml) => File.WriteAllText(ConfigPath, yaml);

    public void Signal(int signal) => Posix.Kill(Process.Id, signal);

    public StatusSnapshot? Status()
    {
        try
        {
            return StatusFile.Read(StatusPath);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Waits until the status file satisfies <paramref name="condition"/> and returns that snapshot.</summary>
    public async Task<StatusSnapshot> WaitForStatusAsync(Func<StatusSnapshot, bool> condition, string what)
    {
        StatusSnapshot? seen = null;
        try
        {
            await Eventually.TrueAsync(() => (seen = Status()) is { } s && condition(s), what);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n--- last status ---\n{(seen is null ? "(none)" : System.Text.Json.JsonSerializer.Serialize(seen, StatusSnapshot.Json))}\n" +
                                       $"--- manager stdout ---\n{Process.Stdout}\n--- stderr ---\n{Process.Stderr}");
        }
        return seen!;
    }

    /// <summary>Every pool has all its children up and leasing.</summary>
    public Task<StatusSnapshot> WaitForReadyAsync() =>
        WaitForStatusAsync(s => s.Pools.Count > 0 && s.Pools.All(p => p.State == "running" && p.Children.Count == p.Processes
            && p.Children.All(c => c.State == "ready" && c.Pid is not null)), "every child ready");

    public static IReadOnlyList<int> Pids(StatusSnapshot status, string pool) =>
        status.Pools.Where(p => p.Name == pool && p.State == "running").SelectMany(p => p.Children).Select(c => c.Pid ?? 0).ToList();

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            try { Signal(Posix.SIGTERM); }
            catch (InvalidOperationException) { }
            try { await Process.WaitForExitAsync(TimeSpan.FromSeconds(30)); }
            catch (TimeoutException) { }
        }
        await Process.DisposeAsync();
        Folder.Dispose();
    }
}
