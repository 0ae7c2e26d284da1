using System.Text.RegularExpressions;

namespace Gantry.Testing;

/// <summary>The <c>gantry</c> executable this test run built (the project reference copies it next to the tests).</summary>
public static partial class GantryCli
{
    public static string Dll { get; } = Locate();

    /// <summary>Variables a child must not inherit from the test run: they would point it somewhere else.</summary>
    private static readonly string[] Inherited = ["GANTRY_URL", "GANTRY_TOKEN", "GANTRY_DATA", "GANTRY_STORE", "GANTRY_URLS"];

    private static string Locate()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "gantry.dll");
        if (!File.Exists(path)) throw new FileNotFoundException("gantry.dll is not next to the test assembly; is Gantry.Server referenced?", path);
        return path;
    }

    public static Dictionary<string, string?> Environment(IReadOnlyDictionary<string, string?>? extra = null)
    {
        var env = Inherited.ToDictionary(n => n, _ => (string?)null);
        // Servers of parallel tests (and any gearmand on this machine) must not fight over Gearman's port 4730,
        env["GANTRY_GEARMAN__LISTEN"] = "127.0.0.1:0";
        env["GANTRY_STOMP__LISTEN"] = "127.0.0.1:0"; // nor over STOMP's 61613
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) env[k] = v;
        return env;
    }

    /// <summary>Runs one verb to its end.</summary>
    public static Task<ProcessResult> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null) =>
        ChildProcess.RunDotnetAsync(Dll, arguments, Environment(environment), workingDirectory ?? Path.GetTempPath());

    public static ChildProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null,
        string? workingDirectory = null) =>
        ChildProcess.StartDotnet(Dll, arguments, Environment(environment), workingDirectory ?? Path.GetTempPath());

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    public static partial Regex ListeningLine();
}

/// <summary><c>gantry server</c> as a child process: a server the test can kill -9 and start again.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private ServerProcess(ChildProcess process, Uri baseAddress) => (Process, BaseAddress) = (process, baseAddress);

    public ChildProcess Process { get; }
    public Uri BaseAddress { get; }

    /// <summary>Where the server's Gearman front listens (<c>HOST:PORT</c>, from the line it prints before the main one).</summary>
    public string GearmanAddress => GearmanLine().Match(Process.Stdout) is { Success: true } m
        ? m.Groups[1].Value
        : throw new InvalidOperationException("The server printed no 'Gearman listening on' line (is its Gearman front off?).");

    [System.Text.RegularExpressions.GeneratedRegex(@"Gearman listening on (\S+)")]
    private static partial System.Text.RegularExpressions.Regex GearmanLine();

    /// <summary>Starts <c>gantry server</c> on <paramref name="store"/> at a port the OS picks, and waits for the
    /// line that says where it listens.</summary>
    public static async Task<ServerProcess> StartAsync(TestStore store, IReadOnlyDictionary<string, string?>? environment = null,
        string urls = "http://127.0.0.1:0")
    {
        var process = GantryCli.Start(["server", .. store.CliArguments, "--urls", urls],
            TestSettings.Merge(new Dictionary<string, string?> { ["Logging__LogLevel__Default"] = "Warning" }, environment));
        try
        {
            var line = await process.WaitForLineAsync(l => GantryCli.ListeningLine().IsMatch(l), "the 'listening on' line");
            return new ServerProcess(process, new Uri(GantryCli.ListeningLine().Match(line).Groups[1].Value));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGTERM, as an orchestrator or <c>kill</c> stops a server: it shuts down gracefully.</summary>
    public void Terminate() => Posix.Kill(Process.Id, Posix.SIGTERM);

    /// <summary>SIGKILL: no shutdown code runs, exactly as <c>kill -9</c>.</summary>
    public Task KillAsync() => Process.KillAsync();

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
