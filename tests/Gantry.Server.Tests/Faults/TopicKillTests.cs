using System.Collections.Concurrent;
using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Faults;

/// <summary>
/// DESIGN "Promises" for topics: every publish the server acknowledged to a durable topic is there, at its offset,
/// after <c>kill -9</c> and a restart on the same store, and offsets go on from there without a gap. A memory topic
/// is honest about what a restart did: its history is gone and its epoch is new, so a resuming reader is told.
/// </summary>
public abstract class TopicKillTests : IAsyncLifetime
{
    private const string Durable = "kill.durable";
    private const string Memory = "kill.memory";
    private const int Publishers = 3;

    private TestStore _store = null!;

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Acknowledged_publishes_survive_kill_9_and_a_memory_topic_comes_back_empty_with_a_new_epoch()
    {
        var acknowledged = new ConcurrentDictionary<long, string>();
        string memoryEpoch;
        await using (var server = await ServerProcess.StartAsync(_store))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            var declared = await http.SendAsync(HttpMethod.Put, $"/api/topics/{Memory}", """{"lane":"memory"}""");
            Assert.True(declared.Status == HttpStatusCode.OK, declared.ToString());
            Assert.Equal("memory", declared.Json["lane"]!.GetValue<string>());
            for (var i = 0; i < 3; i++) await http.ApiPostAsync($"/api/topics/{Memory}/messages", $$"""{"payload":{{i}}}""");
            memoryEpoch = (await http.ApiGetAsync($"/api/topics/{Memory}")).Json["epoch"]!.GetValue<string>();

            var lanes = Enumerable.Range(0, Publishers).Select(lane => Task.Run(() => PublishUntilDeadAsync(http, lane, acknowledged))).ToList();
            await Eventually.TrueAsync(() => acknowledged.Count >= 300 || lanes.Any(l => l.IsCompleted),
                "publishes acknowledged while the server runs", TimeSpan.FromSeconds(90));
            if (lanes.FirstOrDefault(l => l.IsCompleted) is { } early)
            {
                await early;
                Assert.Fail("a publisher stopped before the kill");
            }
            await server.KillAsync();
            await Task.WhenAll(lanes);
        }

        await using var restarted = await ServerProcess.StartAsync(_store);
        using var after = new HttpClient { BaseAddress = restarted.BaseAddress };
        var stored = new Dictionary<long, string>();
        for (long next = 0; ;)
        {
            var page = await after.ApiGetAsync($"/api/topics/{Durable}/messages?after={next}&limit=1000");
            var messages = page.Json["messages"]!.AsArray();
            if (messages.Count == 0) break;
            foreach (var m in messages) stored[m!["offset"]!.GetValue<long>()] = m["payload"]!.ToJsonString();
            next = page.Json["next"]!.GetValue<long>();
        }
        foreach (var (offset, payload) in acknowledged)
        {
            Assert.True(stored.TryGetValue(offset, out var found), $"acknowledged offset {offset} is gone after kill -9");
            Assert.Equal(payload, found);
        }
        // Offsets are dense from 1: nothing acknowledged or not left a hole.
        Assert.Equal(Enumerable.Range(1, stored.Count).Select(i => (long)i), stored.Keys.Order());
        var more = await after.ApiPostAsync($"/api/topics/{Durable}/messages", """{"payload":"after"}""");
        Assert.Equal(stored.Count + 1, more.Json["offset"]!.GetValue<long>());

        var memory = await after.ApiGetAsync($"/api/topics/{Memory}");
        Assert.Equal(("memory", 0L), (memory.Json["lane"]!.GetValue<string>(), memory.Json["last_offset"]!.GetValue<long>()));
        Assert.NotEqual(memoryEpoch, memory.Json["epoch"]!.GetValue<string>());
        Assert.Equal(1, (await after.ApiPostAsync($"/api/topics/{Memory}/messages", """{"payload":"new"}""")).Json["offset"]!.GetValue<long>());
    }

    private static async Task PublishUntilDeadAsync(HttpClient http, int lane, ConcurrentDictionary<long, string> acknowledged)
    {
        for (var n = 0; ; n++)
        {
            var payload = $$$"""{"lane":{{{lane}}},"n":{{{n}}}}""";
            ApiResponse r;
            try { r = await http.ApiPostAsync($"/api/topics/{Durable}/messages", $$"""{"payload":{{payload}}}"""); }
            catch (Exception ex) when (ex is HttpRequestException or IOException) { return; }
            if (r.Code is >= 200 and < 300) acknowledged[r.Json["offset"]!.GetValue<long>()] = payload;
            else throw new Xunit.Sdk.XunitException($"publish refused before the kill: {r}");
        }
    }
}

public sealed class TopicKillOnSqlite : TopicKillTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

public sealed class TopicKillOnPostgres : TopicKillTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
}
