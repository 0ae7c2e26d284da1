using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>Consumer groups over HTTP: members share messages, ack commits, nack redelivers and dead-letters, a long
/// poll wakes on publish, lag and reset.</summary>
public abstract class GroupApiTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    private static string Topic() => "g." + Guid.NewGuid().ToString("N")[..12];

    private Task Publish(string topic, int n) => _http.ApiPostAsync($"/api/topics/{topic}/messages", $$"""{"payload":{{n}}}""");

    private async Task<List<(string Id, long Offset, int Attempt)>> Fetch(string topic, string member, int max = 10, double wait = 0)
    {
        var r = await _http.ApiPostAsync($"/api/topics/{topic}/groups/billing/fetch", $$"""{"max":{{max}},"member":"{{member}}","wait":{{wait}}}""");
        Assert.True(r.Status == HttpStatusCode.OK, r.ToString());
        return r.Json["messages"]!.AsArray()
            .Select(m => (m!["delivery_id"]!.GetValue<string>(), m["offset"]!.GetValue<long>(), m["attempt"]!.GetValue<int>())).ToList();
    }

    [Fact]
    public async Task Members_share_the_messages_and_ack_commits_them()
    {
        var topic = Topic();
        await Publish(topic, 0);
        Assert.Empty(await Fetch(topic, "a")); // a new group starts at the newest message
        for (var i = 1; i <= 3; i++) await Publish(topic, i);
        var a = await Fetch(topic, "a", max: 2);
        var b = await Fetch(topic, "b");
        Assert.Equal([2L, 3L], a.Select(d => d.Offset));
        Assert.Equal([4L], b.Select(d => d.Offset));
        var ack = await _http.ApiPostAsync($"/api/topics/{topic}/groups/billing/ack", $$"""{"delivery_ids":["{{a[0].Id}}","{{a[1].Id}}","{{b[0].Id}}","4:9"]}""");
        Assert.Equal(["acked", "acked", "acked", "lost"], ack.Json["results"]!.AsArray().Select(r => r!["outcome"]!.GetValue<string>()));
        var group = await _http.ApiGetAsync($"/api/topics/{topic}/groups/billing");
        Assert.Equal((4L, 0L), (group.Json["committed"]!.GetValue<long>(), group.Json["lag"]!.GetValue<long>()));
        // The topic admin shows its groups with their lag too, in the list and for the one topic.
        await Publish(topic, 5);
        var view = (await _http.ApiGetAsync($"/api/topics/{topic}")).Json["groups"]!.AsArray();
        Assert.Equal(("billing", 1L), (view.Single()!["name"]!.GetValue<string>(), view.Single()!["lag"]!.GetValue<long>()));
        var listed = (await _http.ApiGetAsync("/api/topics")).Json["topics"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == topic)!;
        Assert.Equal("billing", listed["groups"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Nack_redelivers_at_once_and_the_last_allowed_delivery_becomes_a_dead_letter_to_replay()
    {
        var topic = Topic();
        await Publish(topic, 0);
        await Fetch(topic, "a");
        await Publish(topic, 1);
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var d = Assert.Single(await Fetch(topic, "a"));
            Assert.Equal(attempt, d.Attempt);
            var nack = await _http.ApiPostAsync($"/api/topics/{topic}/groups/billing/nack", $$"""{"delivery_ids":["{{d.Id}}"]}""");
            Assert.Equal(attempt < 5 ? "nacked" : "dead", nack.Json["results"]![0]!["outcome"]!.GetValue<string>());
        }
        var dead = await _http.ApiGetAsync($"/api/topics/{topic}/groups/billing/dead");
        Assert.Equal(5, dead.Json["messages"]![0]!["attempts"]!.GetValue<int>());
        var replay = await _http.ApiPostAsync($"/api/topics/{topic}/groups/billing/dead/replay", "{}");
        Assert.Equal(1, replay.Json["replayed"]!.GetValue<int>());
        Assert.Equal(2, Assert.Single(await Fetch(topic, "a")).Offset);
    }

    [Fact]
    public async Task A_waiting_fetch_wakes_on_publish_and_reset_replays_from_the_first_message()
    {
        var topic = Topic();
        await Publish(topic, 0);
        await Fetch(topic, "a");
        var waiting = Fetch(topic, "a", wait: 30);
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        await Publish(topic, 1);
        Assert.Equal(2, Assert.Single(await waiting.WaitAsync(TimeSpan.FromSeconds(20))).Offset);

        var reset = await _http.ApiPostAsync($"/api/topics/{topic}/groups/billing/reset", """{"from":"first"}""");
        Assert.Equal(HttpStatusCode.OK, reset.Status);
        Assert.Equal([1L, 2L], (await Fetch(topic, "b")).Select(d => d.Offset));
        var bad = await _http.ApiPostAsync($"/api/topics/{topic}/groups/billing/ack", """{"delivery_ids":["seven"]}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("delivery_ids[0]", bad.Json["detail"]!.GetValue<string>());
    }
    [Fact]
    public async Task A_group_declared_ahead_from_first_gets_the_backlog_and_its_policy_applies()
    {
        var topic = Topic();
        await Publish(topic, 1);
        await Publish(topic, 2);
        var put = await _http.SendAsync(HttpMethod.Put, $"/api/topics/{topic}/groups/billing",
            """{"from":"first","ack_timeout":1,"max_deliveries":2}""");
        Assert.True(put.Status == HttpStatusCode.OK, put.ToString());
        Assert.Equal((0L, 2L, 1.0, 2), (put.Json["committed"]!.GetValue<long>(), put.Json["lag"]!.GetValue<long>(),
            put.Json["ack_timeout"]!.GetValue<double>(), put.Json["max_deliveries"]!.GetValue<int>()));
        var first = await Fetch(topic, "a");
        Assert.Equal([1L, 2L], first.Select(d => d.Offset));
        // Nobody acks: after the one-second ack timeout each message is delivered a second (and last) time.
        var again = await Fetch(topic, "b", wait: 20);
        Assert.NotEmpty(again);
        Assert.All(again, d => Assert.Equal(2, d.Attempt));
        var bad = await _http.SendAsync(HttpMethod.Put, $"/api/topics/{topic}/groups/billing", """{"ack_timeout":0.1}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("ack_timeout", bad.Json["detail"]!.GetValue<string>());
        var unknown = await _http.SendAsync(HttpMethod.Put, $"/api/topics/{topic}/groups/billing", """{"ack_timout":5}""");
        Assert.Equal(HttpStatusCode.BadRequest, unknown.Status);
    }
}

public sealed class GroupApiOnSqlite
(SqliteServerFixture f) : GroupApiTests(f), IClassFixture<SqliteServerFixture>;

public sealed class GroupApiOnPostgres(PostgresServerFixture f) : GroupApiTests(f), IClassFixture<PostgresServerFixture>;
