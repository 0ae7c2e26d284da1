using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gantry.Protocol.Gearman;
using Gantry.Server;
using Gantry.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Gantry.Gearman.Tests.Protocol;

/// <summary>
/// The whole Gantry server in this process, composed by <see cref="GantryServerApp.Build"/> as <c>gantry server</c>
/// composes it, on a throw-away SQLite folder, with HTTP and Gearman on loopback ports the OS picks. The settings are
/// the configuration keys a user would set.
/// </summary>
public sealed class ProtocolServer : IAsyncDisposable
{
    private readonly TempFolder _data;

    private ProtocolServer(WebApplication app, TempFolder data, IPEndPoint gearman, Uri http)
    {
        App = app;
        _data = data;
        Gearman = gearman;
        Http = new HttpClient { BaseAddress = http, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }
    public IPEndPoint Gearman { get; }
    public HttpClient Http { get; }

    public static async Task<ProtocolServer> StartAsync(IReadOnlyDictionary<string, string?> settings)
    {
        var data = new TempFolder("gantry-gearman-protocol");
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Gantry:Urls"] = "http://127.0.0.1:0",
            ["Gantry:Gearman:Listen"] = "127.0.0.1:0",
            ["Gantry:Stomp:Listen"] = "off", // parallel servers must not fight over STOMP's 61613
            ["Gantry:Data"] = data.Path,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings) all[key] = value;
        var app = GantryServerApp.Build(new ConfigurationBuilder().AddInMemoryCollection(all).Build());
        try
        {
            await app.StartAsync();
            var gearman = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Gantry.Hosting.GantryEndpoints>(app.Services).Gearman
                          ?? throw new InvalidOperationException("the server started without a Gearman listener");
            var http = GantryServerApp.Addresses(app).Single(a => a.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
            return new ProtocolServer(app, data, gearman, new Uri(http));
        }
        catch
        {
            await app.DisposeAsync();
            data.Dispose();
            throw;
        }
    }

    public Task<RawGearman> ConnectAsync(string name) => RawGearman.ConnectAsync(Gearman, name);

    // ---- HTTP API --------------------------------------------------------------------------------------------

    public async Task<(HttpStatusCode Status, JsonElement Body, string Text)> GetAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, Parse(text), text);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body, string Text)> PostJsonAsync(string path, string json)
    {
        using var response = await Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, Parse(text), text);
    }

    /// <summary>GET /api/jobs/{id}; fails unless 200.</summary>
    public async Task<JsonElement> JobAsync(long id)
    {
        var (status, body, text) = await GetAsync($"/api/jobs/{id}");
        Assert.True(status == HttpStatusCode.OK, $"GET /api/jobs/{id}: {(int)status} {text}");
        return body;
    }

    /// <summary>Waits until GET /api/jobs/{id} reports <paramref name="state"/>; returns that job.</summary>
    public async Task<JsonElement> JobInStateAsync(long id, string state)
    {
        JsonElement last = default;
        try
        {
            await Eventually.TrueAsync(async () =>
            {
                last = await JobAsync(id);
                return last.GetProperty("state").GetString() == state;
            }, $"job {id} to be {state}", RawGearman.Wait);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; the job is now: {last}");
        }
        return last;
    }

    /// <summary>A job's payload or result as bytes, whichever of the JSON or base64 forms the API chose.</summary>
    public static byte[] Bytes(JsonElement job, string field)
    {
        if (job.TryGetProperty(field + "_base64", out var b64) && b64.ValueKind == JsonValueKind.String) return Convert.FromBase64String(b64.GetString()!);
        if (job.TryGetProperty(field, out var json) && json.ValueKind != JsonValueKind.Null) return Encoding.UTF8.GetBytes(json.GetRawText());
        return [];
    }

    private static JsonElement Parse(string text)
    {
        try { return JsonDocument.Parse(text).RootElement.Clone(); }
        catch (JsonException) { return default; }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try { await App.StopAsync(stopping.Token); }
        catch (OperationCanceledException) { }
        await App.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary>One in-process server per test class; the tests of a class run one after another on it and keep apart by
/// using function names of their own (<see cref="Wire.Function"/>).</summary>
public abstract class ProtocolServerFixture : IAsyncLifetime
{
    public ProtocolServer Server { get; private set; } = null!;

    protected abstract IReadOnlyDictionary<string, string?> Settings { get; }

    public async Task InitializeAsync() => Server = await ProtocolServer.StartAsync(Settings);

    public async Task DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
    }
}

/// <summary>The memory lane with a small packet limit (so "too large" takes a few kilobytes) and two functions with
/// retry settings: <c>flaky</c> (2 retries, 50 ms apart at first) and <c>steady</c> (none).</summary>
public sealed class MemoryLaneFixture : ProtocolServerFixture
{
    public const int MaxPacketBytes = 4096;
    public const string Flaky = "flaky";
    public const string Steady = "steady";

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Gantry:Gearman:MaxPacketBytes"] = MaxPacketBytes.ToString(),
        ["Gantry:Retry:BaseDelay"] = "00:00:00.05",
        [$"Gantry:Gearman:Functions:{Flaky}:Retries"] = "2",
        [$"Gantry:Gearman:Functions:{Steady}:Retries"] = "0",
    };
}

/// <summary>Admin commands that change state are refused.</summary>
public sealed class ReadOnlyAdminFixture : ProtocolServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Gantry:Gearman:AdminWrites"] = "false",
    };
}

/// <summary>
/// Durable functions, one per test so that no test sees another's jobs. Retries of the store are quick and without
/// jitter; the store's slow safety-net poll is pushed out of reach, so a worker woken in time was woken by the
/// server's signals.
/// </summary>
public sealed class DurableLaneFixture : ProtocolServerFixture
{
    public const string Basic = "dur";
    public const string Pipelined = "dur_pipe";
    public const string FromHttp = "dur_http";
    public const string Retried = "dur_retry";
    public const string Dropped = "dur_drop";
    public const string Sleeper = "dur_sleep";
    public const string Prefetched = "dur_ahead";
    public const string Counted = "dur_count";

    protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        [$"Gantry:Gearman:Functions:{Basic}:Lane"] = "durable",
        [$"Gantry:Gearman:Functions:{Pipelined}:Lane"] = "durable",
        [$"Gantry:Gearman:Functions:{FromHttp}:Lane"] = "durable",
        [$"Gantry:Gearman:Functions:{Retried}:Lane"] = "durable",
        [$"Gantry:Gearman:Functions:{Retried}:Retries"] = "1",
        [$"Gantry:Gearman:Functions:{Dropped}:Lane"] = "durable",
        [$"Gantry:Gearman:Functions:{Sleeper}:Lane"] = "durable",
        [$"Gantry:Gearman:Functions:{Prefetched}:Lane"] = "durable",
        [$"Gantry:Gearman:Functions:{Counted}:Lane"] = "durable",
        ["Gantry:Retry:BaseDelay"] = "00:00:00.05",
        ["Gantry:Retry:MaxDelay"] = "00:00:00.2",
        ["Gantry:Retry:Jitter"] = "0",
        ["Gantry:Timings:LeaseCheckInterval"] = "00:00:00.1",
        ["Gantry:Timings:FallbackPollInterval"] = "00:10:00",
    };
}

/// <summary>Bytes, names and handles.</summary>
public static partial class Wire
{
    public static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    public static byte[] Cat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A function name no other test uses.</summary>
    public static string Function(string prefix) => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    /// <summary>The store id in a durable job's handle: the number after the final "d".</summary>
    public static long DurableId(string handle)
    {
        var match = DurableHandle().Match(handle);
        Assert.True(match.Success, $"'{handle}' is not a durable job handle (it should end in d<id>)");
        return long.Parse(match.Groups[1].Value);
    }

    [GeneratedRegex(@"d(\d+)$")]
    private static partial Regex DurableHandle();

    /// <summary>
    /// What a worker does for its next job: GRAB_JOB, and on NO_JOB, PRE_SLEEP and wait for NOOP, then grab again.
    /// Returns the JOB_ASSIGN.
    /// </summary>
    public static async Task<GearmanPacket> NextJobAsync(RawGearman worker)
    {
        for (var round = 0; round < 20; round++)
        {
            await worker.SendAsync(GearmanPacketType.GrabJob);
            var answer = await worker.ReceiveAsync("JOB_ASSIGN or NO_JOB");
            if (answer.Type == GearmanPacketType.JobAssign) return answer;
            if (answer.Type != GearmanPacketType.NoJob) throw new Xunit.Sdk.XunitException($"GRAB_JOB got {RawGearman.Describe(answer)}\n{worker.Transcript}");
            await worker.SendAsync(GearmanPacketType.PreSleep);
            await worker.ExpectAsync(GearmanPacketType.Noop);
        }
        throw new Xunit.Sdk.XunitException($"woken 20 times without a job\n{worker.Transcript}");
    }
}
