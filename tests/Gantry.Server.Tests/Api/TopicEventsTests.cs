using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>Server-Sent Events over a real socket: history then live with the offset as the event id, resuming with
/// Last-Event-ID, and pattern subscriptions.</summary>
public abstract class TopicEventsTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    private static string Topic(string prefix = "sse") => prefix + "." + Guid.NewGuid().ToString("N")[..12];

    private Task<SseReader> OpenAsync(string path, string? lastEventId = null) => SseReader.OpenAsync(_http, path, lastEventId);

    private Task Publish(string topic, string payload) => _http.ApiPostAsync($"/api/topics/{topic}/messages", $$"""{"payload":{{payload}}}""");

    [Fact]
    public async Task History_then_live_messages_arrive_with_the_offset_as_id_and_last_event_id_resumes()
    {
        var topic = Topic();
        await Publish(topic, "1");
        await Publish(topic, "2");
        using (var stream = await OpenAsync($"/api/topics/{topic}/events?from=first"))
        {
            Assert.Equal("1", (await stream.ExpectAsync()).Id);
            Assert.Equal("2", (await stream.ExpectAsync()).Id);
            await Publish(topic, "3");
            var live = await stream.ExpectAsync();
            Assert.Equal(("3", "message"), (live.Id, live.Event));
            Assert.Contains("\"payload\":3", live.Data);
        }
        await Publish(topic, "4");
        using var resumed = await OpenAsync($"/api/topics/{topic}/events", lastEventId: "3");
        Assert.Equal("4", (await resumed.ExpectAsync()).Id);
    }

    [Fact]
    public async Task From_last_sends_only_new_messages_and_a_pattern_receives_every_matching_topic()
    {
        var prefix = "p" + Guid.NewGuid().ToString("N")[..8];
        var topic = $"{prefix}.orders";
        await Publish(topic, "\"old\"");
        using var exact = await OpenAsync($"/api/topics/{topic}/events");
        using var pattern = await OpenAsync($"/api/topics/{prefix}.%23/events");
        // Presence shows both before anything is published, so neither can miss the next message.
        await Eventually.TrueAsync(async () => (await _http.ApiGetAsync($"/api/topics/{topic}")).Json["subscribers"]!.GetValue<int>() == 2,
            "both subscribers present");
        var presence = (await _http.ApiGetAsync($"/api/topics/{topic}/subscribers")).Json["subscribers"]!.AsArray();
        Assert.Equal([topic, $"{prefix}.#"], presence.Select(p => p!["subscription"]!.GetValue<string>()).Order(StringComparer.Ordinal).Reverse());
        Assert.All(presence, p => Assert.Equal("sse", p!["transport"]!.GetValue<string>()));
        await Publish(topic, "\"new\"");
        await Publish($"{prefix}.other.deep", "\"elsewhere\"");
        Assert.Contains("\"new\"", (await exact.ExpectAsync()).Data);
        var first = await pattern.ExpectAsync();
        Assert.Contains("\"new\"", first.Data);
        Assert.Contains($"\"topic\":\"{topic}\"", first.Data);
        Assert.Contains("\"elsewhere\"", (await pattern.ExpectAsync()).Data);
    }

    [Fact]
    public async Task A_live_only_client_may_choose_drop_oldest_and_an_unknown_policy_is_refused_by_name()
    {
        var topic = Topic();
        await Publish(topic, "1");
        using (var stream = await OpenAsync($"/api/topics/{topic}/events?from=first&slow=drop_oldest"))
            Assert.Equal("1", (await stream.ExpectAsync()).Id);
        var bad = await _http.ApiGetAsync($"/api/topics/{topic}/events?slow=fast");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Contains("slow", bad.Json["detail"]!.GetValue<string>());
    }
}

public sealed class TopicEventsOnSqlite(SqliteServerFixture f) : TopicEventsTests(f), IClassFixture<SqliteServerFixture>;

public sealed class TopicEventsOnPostgres(PostgresServerFixture f) : TopicEventsTests(f), IClassFixture<PostgresServerFixture>;
