using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Cli;

/// <summary>
/// Stopping a server (SIGTERM) while workers long-poll it: every open fetch is answered (empty) and every open wait
/// answered (the job as it is), the log says the server is stopping, and the process exits cleanly, instead of the
/// pollers holding the server for the host's whole shutdown timeout and then getting a reset.
/// </summary>
public sealed class ServerStopTests
{
    [Fact]
    public async Task Sigterm_answers_open_fetches_and_waits_on_both_lanes_and_the_server_exits()
    {
        await using var store = TestStore.Sqlite();
        await using var server = await ServerProcess.StartAsync(store,
            new Dictionary<string, string?> { ["Logging__LogLevel__Gantry.Hosting"] = "Information" });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        var durable = Names.Queue();
        var memory = Names.Queue();
        var waited = Names.Queue();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(HttpMethod.Put, $"/api/queues/{memory}", """{"lane":"memory"}""")).Status);

        var durableFetch = http.ApiPostAsync($"/api/queues/{durable}/fetch", """{"max":1,"wait":50}""");
        var memoryFetch = http.ApiPostAsync($"/api/queues/{memory}/fetch", """{"max":1,"wait":50}""");
        var submitAndWait = http.ApiPostAsync("/api/jobs?wait=50", $$"""{"queue":"{{waited}}","payload":1}""");
        await Eventually.TrueAsync(async () =>
        {
            var queues = (await http.ApiGetAsync("/api/queues")).Json["queues"]!.AsArray();
            int Waiting(string name) => queues.FirstOrDefault(q => q!["name"]!.GetValue<string>() == name)?["waiting_fetches"]!.GetValue<int>() ?? 0;
            return Waiting(durable) == 1 && Waiting(memory) == 1 && queues.Any(q => q!["name"]!.GetValue<string>() == waited);
        }, "both fetches to wait on the server and the submitted job to exist");

        server.Terminate();

        foreach (var fetch in new[] { durableFetch, memoryFetch })
        {
            var answer = await fetch;
            Assert.True(answer.Status == HttpStatusCode.OK, answer.ToString());
            Assert.Empty(answer.Json["jobs"]!.AsArray());
        }
        var submitted = await submitAndWait;
        Assert.True(submitted.Status == HttpStatusCode.OK, submitted.ToString());
        Assert.False(submitted.Json["finished"]!.GetValue<bool>());
        Assert.Equal("available", submitted.Json["state"]!.GetValue<string>());
        Assert.Equal(0, await server.Process.WaitForExitAsync());
        Assert.Contains("Gantry is stopping", server.Process.Stdout + server.Process.Stderr);
    }

    /// <summary>A Gearman worker waits for jobs on an open connection and never closes it by itself; Kestrel asks each
    /// connection to close at stop and, before the Gearman front heeded that, aborted them only when the host's
    /// shutdown timeout (30 s) ran out, logging that connections failed to close gracefully.</summary>
    [Fact]
    public async Task Sigterm_closes_idle_gearman_worker_connections_and_the_server_exits_without_waiting_for_them()
    {
        await using var store = TestStore.Sqlite();
        await using var server = await ServerProcess.StartAsync(store,
            new Dictionary<string, string?> { ["Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel"] = "Debug" });
        var (host, port) = (server.GearmanAddress.Split(':')[0], server.GearmanAddress.Split(':')[1]);
        var function = Names.Queue();
        await using var worker = ChildProcess.Start("gearman", ["-h", host, "-p", port, "-w", "-f", function, "--", "cat"]);
        await Eventually.TrueAsync(async () =>
        {
            var workers = await ChildProcess.RunAsync("gearadmin", ["-h", host, "-p", port, "--workers"]);
            return workers.Stdout.Contains(" : " + function, StringComparison.Ordinal);
        }, "the Gearman worker to register its function");

        server.Terminate();

        Assert.Equal(0, await server.Process.WaitForExitAsync());
        // (the gearman tool does not end when its connection closes: it tries to reconnect until it is stopped)
        Assert.DoesNotContain("failed to close gracefully", server.Process.Stdout + server.Process.Stderr);
    }
}
