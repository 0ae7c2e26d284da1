using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Cli;

/// <summary><c>gantry server</c> as a process: its help, its start-up line, its refusal of bad settings, and its lock
/// on the data folder.</summary>
public sealed class ServerCommandTests
{
    [Fact]
    public async Task Server_help_documents_data_store_and_urls()
    {
        var r = await GantryCli.RunAsync(["server", "--help"]);

        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var option in new[] { "--data", "--store", "--urls" }) Assert.Contains(option, r.Stdout);
        Assert.Contains("PostgreSQL", r.Stdout);
    }

    [Fact]
    public async Task Enqueue_help_documents_wait()
    {
        var r = await GantryCli.RunAsync(["enqueue", "--help"]);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("--wait", r.Stdout);
        Assert.Contains("SECONDS", r.Stdout);
        Assert.Contains("--server", r.Stdout);
    }

    [Fact]
    public async Task Server_prints_the_address_it_listens_on_and_health_answers_200()
    {
        await using var store = TestStore.Sqlite();
        var url = FreePort.LoopbackUrl();
        await using var server = await ServerProcess.StartAsync(store, urls: url);

        Assert.Equal(new Uri(url), server.BaseAddress);
        var lines = server.Process.Stdout.Split('\n');
        var line = lines.Single(l => l.StartsWith("Gantry ", StringComparison.Ordinal) && l.Contains("listening on"));
        Assert.Contains($"listening on {url}", line);
        // The Gearman front is on by default; the tests' servers put it on a port the OS picks.
        var gearman = await server.Process.WaitForLineAsync(l => l.StartsWith("Gearman ", StringComparison.Ordinal), "the Gearman line");
        Assert.Matches(@"^Gearman listening on 127\.0\.0\.1:[1-9]\d*$", gearman.TrimEnd('\r'));
        // So is the STOMP front, likewise on a port the OS picks; its line comes before the main one too.
        var stomp = lines.Single(l => l.StartsWith("STOMP ", StringComparison.Ordinal));
        Assert.Matches(@"^STOMP listening on 127\.0\.0\.1:[1-9]\d*$", stomp.TrimEnd('\r'));
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var health = await http.ApiGetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("ok", health.Json["status"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("GANTRY_LIMITS__MAXPAYLOADBYTES", "-5", "Limits:MaxPayloadBytes")]
    [InlineData("GANTRY_RETRY__JITTER", "7", "Retry:Jitter")]
    [InlineData("GANTRY_HTTP__APITOKEN", "short", "Http:ApiToken")]
    [InlineData("GANTRY_URLS", "ftp://127.0.0.1:1", "Gantry:Urls")]
    public async Task Server_with_an_invalid_setting_exits_nonzero_naming_the_key(string variable, string value, string key)
    {
        await using var store = TestStore.Sqlite();
        await using var server = GantryCli.Start(["server", .. store.CliArguments],
            new Dictionary<string, string?> { [variable] = value });

        var exit = await server.WaitForExitAsync();

        Assert.True(exit != 0, $"exit {exit}\n{server.Stdout}\n{server.Stderr}");
        Assert.Contains(key, server.Stderr);
        Assert.DoesNotContain("listening on", server.Stdout);
    }

    [Fact]
    public async Task Second_server_on_the_same_data_folder_refuses_to_start_and_the_first_keeps_serving()
    {
        await using var store = TestStore.Sqlite();
        await using var first = await ServerProcess.StartAsync(store);

        var second = await GantryCli.RunAsync(["server", .. store.CliArguments, "--urls", "http://127.0.0.1:0"]);

        Assert.True(second.ExitCode != 0, second.ToString());
        Assert.Contains("Another Gantry server is using the data folder", second.Stderr);
        Assert.DoesNotContain("listening on", second.Stdout);
        using var http = new HttpClient { BaseAddress = first.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.ApiGetAsync("/health")).Status);
    }
}
