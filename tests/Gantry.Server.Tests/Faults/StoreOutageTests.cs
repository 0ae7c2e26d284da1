using System.Net;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Faults;

/// <summary>
/// PostgreSQL goes away under a running <c>gantry server</c> and comes back. While it is away, calls get 503 with
/// Retry-After and a problem detail naming the store, readiness says so while liveness stays 200, and the log says so
/// once (not a stack trace per request); once it is back, the very first fetch works (the broken pooled connection is
/// retried) and the log says it is back.
/// </summary>
public sealed class StoreOutageTests : IAsyncLifetime
{
    private PostgresCluster _cluster = null!;
    private TestStore _store = null!;

    public async Task InitializeAsync()
    {
        _cluster = await PostgresCluster.StartAsync(durable: false);
        _store = TestStore.On(_cluster);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Calls_get_503_while_the_store_is_down_the_log_says_so_once_and_the_first_call_after_it_is_back_works()
    {
        await using var server = await ServerProcess.StartAsync(_store);
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var queue = Names.Queue();
        var id = await http.EnqueueAsync(queue);
        Assert.Equal(id, (await http.FetchOneAsync(queue, wait: 0)).Id);
        var beforeOutage = server.Process.Stdout.Length + server.Process.Stderr.Length;

        await _cluster.HaltAsync();
        for (var i = 0; i < 40; i++)
        {
            var enqueue = await http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":{{i}}}""");
            ProblemAssert.IsProblem(enqueue, 503, "postgresql", "unique_key");
            Assert.True(enqueue.RetryAfter is not null, $"no Retry-After: {enqueue}");
            ProblemAssert.IsProblem(await http.ApiGetAsync($"/api/jobs/{id}"), 503, "postgresql");
        }
        ProblemAssert.IsProblem(await http.ApiGetAsync("/metrics"), 503, "postgresql");
        var ready = await http.ApiGetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("store_unreachable", ready.Json["status"]!.GetValue<string>());
        Assert.Contains("postgresql", ready.Json["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await http.ApiGetAsync("/health/live")).Status);

        var outageLog = Log(server)[beforeOutage..];
        Assert.Single(Regex.Matches(outageLog, "store cannot be reached"));
        Assert.DoesNotContain("   at ", outageLog); // no stack traces
        Assert.True(outageLog.Length < 8_000, $"81 failed calls wrote {outageLog.Length} characters of log:\n{outageLog}");

        await _cluster.ResumeAsync();
        // The first call after the restart meets a pooled connection the database closed; it must still work.
        var again = await http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":"after"}""");
        Assert.True(again.Status == HttpStatusCode.Created, again.ToString());
        Assert.Equal(HttpStatusCode.OK, (await http.ApiGetAsync("/health/ready")).Status);
        await Eventually.TrueAsync(() => Log(server).Contains("store is reachable again"), $"the log to say the store is back:\n{Log(server)}",
            TimeSpan.FromSeconds(30));
    }

    private static string Log(ServerProcess server) => server.Process.Stdout + server.Process.Stderr;
}
