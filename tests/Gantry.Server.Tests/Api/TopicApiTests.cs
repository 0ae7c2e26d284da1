using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>Topics over HTTP: publish one and a batch, dedup by id, short and long polls from an offset, errors in the
/// API's terms, and the topic admin.</summary>
public abstract class TopicApiTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    private static string Topic() => "t." + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Publish_returns_offsets_and_a_poll_reads_the_messages_back_from_an_offset()
    {
        var topic = Topic();
        var one = await _http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":{"n":1},"headers":{"trace":"x"}}""");
        Assert.Equal(HttpStatusCode.OK, one.Status);
        Assert.Equal(1, one.Json["offset"]!.GetValue<long>());
        Assert.False(one.Json["duplicate"]!.GetValue<bool>());
        var batch = await _http.ApiPostAsync($"/api/topics/{topic}/messages",
            """{"messages":[{"payload":{"n":2}},{"payload_base64":"AAEC"},{"payload":"three","id":"m3"}]}""");
        Assert.Equal([2L, 3L, 4L], batch.Json["messages"]!.AsArray().Select(m => m!["offset"]!.GetValue<long>()));

        var page = await _http.ApiGetAsync($"/api/topics/{topic}/messages?after=1&limit=2");
        Assert.Equal(HttpStatusCode.OK, page.Status);
        var messages = page.Json["messages"]!.AsArray();
        Assert.Equal([2L, 3L], messages.Select(m => m!["offset"]!.GetValue<long>()));
        Assert.Equal("{\"n\":2}", messages[0]!["payload"]!.ToJsonString());
        Assert.Equal("AAEC", messages[1]!["payload_base64"]!.GetValue<string>());
        Assert.Equal(3, page.Json["next"]!.GetValue<long>());
        var rest = await _http.ApiGetAsync($"/api/topics/{topic}/messages?after=3");
        Assert.Equal("m3", rest.Json["messages"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(4, rest.Json["next"]!.GetValue<long>());
        var first = (await _http.ApiGetAsync($"/api/topics/{topic}/messages")).Json["messages"]![0]!;
        Assert.Equal("x", first["headers"]!["trace"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_repeated_message_id_is_stored_once_and_answered_with_the_first_offset()
    {
        var topic = Topic();
        await _http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":1,"id":"order-7"}""");
        var again = await _http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":1,"id":"order-7"}""");
        Assert.Equal(1, again.Json["offset"]!.GetValue<long>());
        Assert.True(again.Json["duplicate"]!.GetValue<bool>());
        Assert.Single((await _http.ApiGetAsync($"/api/topics/{topic}/messages")).Json["messages"]!.AsArray());
    }

    [Fact]
    public async Task A_long_poll_returns_as_soon_as_a_message_is_published()
    {
        var topic = Topic();
        await _http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":"before"}""");
        var poll = _http.ApiGetAsync($"/api/topics/{topic}/messages?after=1&wait=30");
        await Task.Delay(200);
        Assert.False(poll.IsCompleted);
        await _http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":"after"}""");
        var page = await poll.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("\"after\"", page.Json["messages"]![0]!["payload"]!.ToJsonString());
    }

    [Fact]
    public async Task Bad_input_is_answered_in_the_api_terms()
    {
        var bad = await _http.ApiPostAsync("/api/topics/orders.*/messages", """{"payload":1}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("publish to one topic", bad.Json["detail"]!.GetValue<string>());
        var empty = await _http.ApiPostAsync($"/api/topics/{Topic()}/messages", """{"id":"x"}""");
        Assert.Equal(HttpStatusCode.BadRequest, empty.Status);
        Assert.Contains("payload", empty.Json["detail"]!.GetValue<string>());
        var after = await _http.ApiGetAsync($"/api/topics/{Topic()}/messages?after=-1");
        Assert.Equal(HttpStatusCode.BadRequest, after.Status);
        Assert.Contains("after", after.Json["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Topics_are_listed_with_their_offsets_take_settings_and_can_be_deleted()
    {
        var topic = Topic();
        Assert.Equal(HttpStatusCode.NotFound, (await _http.ApiGetAsync($"/api/topics/{topic}")).Status);
        var put = await _http.SendAsync(HttpMethod.Put, $"/api/topics/{topic}", """{"retain_count":10,"retain_seconds":3600,"max_message_bytes":8}""");
        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal(10, put.Json["retain_count"]!.GetValue<long>());
        var tooBig = await _http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":"more than eight bytes"}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.Status);
        await _http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":1}""");
        var list = await _http.ApiGetAsync("/api/topics");
        var mine = list.Json["topics"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == topic)!;
        Assert.Equal(1, mine["last_offset"]!.GetValue<long>());
        Assert.Equal(1, mine["message_count"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.NoContent, (await _http.SendAsync(HttpMethod.Delete, $"/api/topics/{topic}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.ApiGetAsync($"/api/topics/{topic}")).Status);
    }
    [Fact]
    public async Task A_memory_topic_keeps_its_newest_messages_in_memory_keeps_its_lane_and_refuses_consumer_groups()
    {
        var topic = Topic();
        var put = await _http.SendAsync(HttpMethod.Put, $"/api/topics/{topic}", """{"lane":"memory","retain_count":3}""");
        Assert.True(put.Status == HttpStatusCode.OK, put.ToString());
        for (var i = 1; i <= 5; i++)
            Assert.Equal(i, (await _http.ApiPostAsync($"/api/topics/{topic}/messages", $$"""{"payload":{{i}}}""")).Json["offset"]!.GetValue<long>());
        var page = await _http.ApiGetAsync($"/api/topics/{topic}/messages?after=0");
        Assert.Equal([3L, 4L, 5L], page.Json["messages"]!.AsArray().Select(m => m!["offset"]!.GetValue<long>()));
        Assert.True(page.Json["truncated"]!.GetValue<bool>());
        // A settings change without 'lane' keeps the topic in memory (its messages with it).
        var change = await _http.SendAsync(HttpMethod.Put, $"/api/topics/{topic}", """{"retain_count":10}""");
        Assert.Equal(("memory", 5L), (change.Json["lane"]!.GetValue<string>(), change.Json["last_offset"]!.GetValue<long>()));
        var group = await _http.ApiPostAsync($"/api/topics/{topic}/groups/g/fetch", "{}");
        Assert.Equal(HttpStatusCode.BadRequest, group.Status);
        Assert.Contains("memory topic", group.Json["detail"]!.GetValue<string>());
        var bad = await _http.SendAsync(HttpMethod.Put, $"/api/topics/{topic}", """{"lane":"fast"}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("lane", bad.Json["detail"]!.GetValue<string>());
    }
}

public sealed class TopicApiOnSqlite(SqliteServerFixture f) : TopicApiTests(f), IClassFixture<SqliteServerFixture>;

public sealed class TopicApiOnPostgres(PostgresServerFixture f) : TopicApiTests(f), IClassFixture<PostgresServerFixture>;
