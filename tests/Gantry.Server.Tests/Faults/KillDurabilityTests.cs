using System.Collections.Concurrent;
using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Faults;

/// <summary>
/// DESIGN "Promises": an acknowledged durable write survives kill -9. Clients enqueue and work jobs against a
/// <c>gantry server</c> process; mid-stream it is killed with SIGKILL and started again on the same store. Every
/// enqueue the server answered 2xx must exist, every completion it answered "ok" must be succeeded with its result,
/// and the restarted server must bring every job to an end (leases held at the kill expire and are worked again).
/// </summary>
public abstract class KillDurabilityTests : IAsyncLifetime
{
    private const string Queue = "durable";
    private const int Enqueuers = 3;
    private const int Workers = 2;

    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["GANTRY_TIMINGS__LEASECHECKINTERVAL"] = "00:00:00.1",
        ["GANTRY_RETRY__BASEDELAY"] = "00:00:00.05",
    };

    private TestStore _store = null!;

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Acknowledged_enqueues_and_completions_survive_kill_9_and_every_job_still_finishes()
    {
        var enqueued = new ConcurrentDictionary<long, string>();
        var completed = new ConcurrentDictionary<long, string>();

        await using (var server = await ServerProcess.StartAsync(_store, Settings))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            var lanes = Enumerable.Range(0, Enqueuers).Select(lane => Task.Run(() => EnqueueUntilDeadAsync(http, lane, enqueued)))
                .Concat(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => WorkUntilDeadAsync(http, completed))))
                .ToList();

            await Eventually.TrueAsync(() => enqueued.Count >= 400 && completed.Count >= 150 || lanes.Any(l => l.IsCompleted),
                "clients acknowledged while the server runs", TimeSpan.FromSeconds(90));
            if (lanes.FirstOrDefault(l => l.IsCompleted) is { } early)
            {
                await early; // surfaces its exception
                Assert.Fail("a client lane stopped before the kill");
            }
            await server.KillAsync();
            await Task.WhenAll(lanes); // each ends at its first failed call
        }
        Assert.NotEmpty(completed);

        await using var restarted = await ServerProcess.StartAsync(_store, Settings);
        using var after = new HttpClient { BaseAddress = restarted.BaseAddress };

        foreach (var (id, payload) in enqueued)
        {
            var r = await after.ApiGetAsync($"/api/jobs/{id}");
            Assert.True(r.Status == HttpStatusCode.OK, $"acknowledged job {id} is gone after kill -9: {r}");
            Assert.Equal(payload, r.RawField("payload"));
        }
        foreach (var (id, result) in completed)
        {
            var r = await after.ApiGetAsync($"/api/jobs/{id}");
            Assert.True(r.Json["state"]!.GetValue<string>() == "succeeded", $"acknowledged completion of job {id} is lost: {r}");
            Assert.Equal(result, r.RawField("result"));
        }

        // Nothing acknowledged is stuck either: the restarted server hands out what is left, leases cut by the
        // kill included, until every job of the queue has succeeded.
        using var draining = new CancellationTokenSource();
        var drain = Task.Run(() => WorkUntilDeadAsync(after, new ConcurrentDictionary<long, string>(), draining.Token));
        await Eventually.TrueAsync(async () =>
        {
            var counts = (await after.ApiGetAsync("/api/queues")).Json["queues"]!.AsArray().Single(q => q!["name"]!.GetValue<string>() == Queue)!["counts"]!;
            return counts["succeeded"]!.GetValue<long>() >= enqueued.Count &&
                   new[] { "scheduled", "available", "running", "failed", "dead", "cancelled" }.All(s => counts[s]!.GetValue<long>() == 0);
        }, "every job of the queue succeeded after the restart");
        await draining.CancelAsync();
        await drain;
    }

    private static async Task EnqueueUntilDeadAsync(HttpClient http, int lane, ConcurrentDictionary<long, string> acknowledged)
    {
        for (var n = 0; ; n++)
        {
            var payload = $$$"""{"lane":{{{lane}}},"n":{{{n}}}}""";
            ApiResponse r;
            try { r = await http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{Queue}}","payload":{{payload}},"timeout":2}"""); }
            catch (Exception ex) when (ex is HttpRequestException or IOException) { return; }
            if (r.Code is >= 200 and < 300) acknowledged[r.Json["id"]!.GetValue<long>()] = payload;
            else throw new Xunit.Sdk.XunitException($"enqueue refused before the kill: {r}");
        }
    }

    private static async Task WorkUntilDeadAsync(HttpClient http, ConcurrentDictionary<long, string> acknowledged, CancellationToken stop = default)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var jobs = await http.FetchAsync(Queue, max: 5, wait: 0.5);
                if (jobs.Count == 0) continue;
                var ids = jobs.Select(j => j!["id"]!.GetValue<long>()).ToList();
                var items = jobs.Select(j => $$$"""{"id":{{{j!["id"]}}},"attempt":{{{j["attempt"]}}},"result":{"done":{{{j["id"]}}}}}""");
                var r = await http.ApiPostAsync("/api/leases/complete", $$"""{"completions":[{{string.Join(",", items)}}]}""");
                var results = r.Json["results"]!.AsArray();
                for (var i = 0; i < ids.Count; i++)
                {
                    if (results[i]!["status"]!.GetValue<string>() == "ok") acknowledged[ids[i]] = $$$"""{"done":{{{ids[i]}}}}""";
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                return; // the server is gone
            }
        }
    }
}

public sealed class KillDurabilityOnSqlite : KillDurabilityTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

public sealed class KillDurabilityOnPostgres : KillDurabilityTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
}
