using System.Text.RegularExpressions;
using Gantry.Testing;

namespace Gantry.Gearman.Tests.Infrastructure;

/// <summary>
/// The Gearman server the tests talk to: a <c>gantry server</c> child process with its Gearman listener on a free
/// loopback port and its SQLite store in a throw-away folder, which a test can kill -9 and start again on the same
/// folder. When <c>GANTRY_TEST_GEARMAN_EXTERNAL=host:port</c> is set, the generic tests use that server instead (run a
/// gearmand there to check that the tests agree with the reference implementation); tests that need Gantry itself
/// (its store, its HTTP API, its per-function settings) then fail with a message saying so.
/// </summary>
public sealed partial class GearmanServer : IAsyncDisposable
{
    public const string ExternalVariable = "GANTRY_TEST_GEARMAN_EXTERNAL";

    /// <summary>Variables a child must not inherit from the test run: they would point it somewhere else.</summary>
    private static readonly string[] Inherited =
        ["GANTRY_URL", "GANTRY_TOKEN", "GANTRY_DATA", "GANTRY_STORE", "GANTRY_URLS", "GANTRY_GEARMAN__LISTEN", "GANTRY_STOMP__LISTEN"];

    private readonly TempFolder? _data;
    private readonly IReadOnlyDictionary<string, string?> _environment;
    private Uri? _http;

    private GearmanServer(string host, int port, Uri? http, ChildProcess? process, TempFolder? data,
        IReadOnlyDictionary<string, string?> environment)
    {
        (Host, Port, _http, Process, _data, _environment) = (host, port, http, process, data, environment);
    }

    public string Host { get; }
    public int Port { get; private set; }

    /// <summary><c>host:port</c>, as Gearman::Client takes a job server.</summary>
    public string Address => $"{Host}:{Port}";

    /// <summary>The <c>gantry server</c> process; null for an external server.</summary>
    public ChildProcess? Process { get; private set; }

    /// <summary>Where Gantry's HTTP API listens.</summary>
    public Uri HttpBase => _http ?? throw NotGantry("the HTTP API");

    /// <summary>The server's stdout and stderr so far, for failure messages.</summary>
    public string Output => Process is null ? "(external server: no output)" : $"--- server stdout ---\n{Process.Stdout}\n--- server stderr ---\n{Process.Stderr}";

    /// <summary>The external server when <see cref="ExternalVariable"/> is set, else a fresh Gantry with default settings.</summary>
    public static Task<GearmanServer> StartAsync() =>
        Environment.GetEnvironmentVariable(ExternalVariable) is { Length: > 0 } external
            ? Task.FromResult(External(external))
            : StartGantryAsync();

    /// <summary>A fresh <c>gantry server</c>; <paramref name="environment"/> adds settings (a null value removes one).
    /// Fails when the tests are pointed at an external server, since the caller needs Gantry itself.</summary>
    public static async Task<GearmanServer> StartGantryAsync(IReadOnlyDictionary<string, string?>? environment = null)
    {
        if (Environment.GetEnvironmentVariable(ExternalVariable) is { Length: > 0 })
            throw NotGantry("this test");
        var data = new TempFolder("gantry-gearman-test");
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in Inherited) env[name] = null;
        env["Logging__LogLevel__Default"] = "Warning";
        env["GANTRY_STOMP__LISTEN"] = "off"; // parallel servers must not fight over STOMP's port
        foreach (var (k, v) in environment ?? new Dictionary<string, string?>()) env[k] = v;
        var server = new GearmanServer("127.0.0.1", 0, null, null, data, env);
        try
        {
            await server.LaunchAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static GearmanServer External(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address[(colon + 1)..], out var port))
            throw new InvalidOperationException($"{ExternalVariable} must be host:port, not '{address}'.");
        return new GearmanServer(address[..colon], port, null, null, null, new Dictionary<string, string?>());
    }

    private static InvalidOperationException NotGantry(string what) => new(
        $"{what} needs a Gantry server, but {ExternalVariable} points the tests at an external Gearman server. " +
        "Unset it to run this test (filter it out with --filter \"Server!=Gantry\" when checking against gearmand).");

    /// <summary>Starts the process on a fresh port and waits until both the Gearman and the HTTP listeners are up.</summary>
    private async Task LaunchAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gantry.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("gantry.dll is not next to the test assembly; is Gantry.Server referenced?", dll);
        // A fresh port each time: a restarted server never waits for the old one's socket to be released.
        var port = FreePort.Next();
        var process = ChildProcess.StartDotnet(dll,
            ["server", "--data", _data!.Path, "--urls", "http://127.0.0.1:0", "--gearman", $"127.0.0.1:{port}"],
            _environment, Path.GetTempPath());
        try
        {
            var gearmanLine = await process.WaitForLineAsync(l => GearmanLine().IsMatch(l), "the 'Gearman listening on' line");
            var httpLine = await process.WaitForLineAsync(l => HttpLine().IsMatch(l), "the 'listening on http://' line");
            Port = int.Parse(GearmanLine().Match(gearmanLine).Groups[1].Value);
            _http = new Uri(HttpLine().Match(httpLine).Groups[1].Value);
            Process = process;
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, exactly as <c>kill -9</c>.</summary>
    public async Task KillAsync()
    {
        if (Process is null) throw NotGantry("killing the server");
        await Process.KillAsync();
    }

    /// <summary>Kills the server (if it still runs) and starts it again on the same data folder and settings, on a new
    /// Gearman port (<see cref="Address"/> follows).</summary>
    public async Task RestartAsync()
    {
        if (Process is null) throw NotGantry("restarting the server");
        await Process.KillAsync();
        await Process.DisposeAsync();
        Process = null;
        await LaunchAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (Process is not null) await Process.DisposeAsync();
        _data?.Dispose();
    }

    [GeneratedRegex(@"Gearman listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex GearmanLine();

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex HttpLine();
}

/// <summary>One Gearman server shared by the tests of one class (each test uses function names of its own).</summary>
public sealed class SharedServer : Xunit.IAsyncLifetime
{
    private GearmanServer? _server;

    public GearmanServer Server => _server ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _server = await GearmanServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }
}
