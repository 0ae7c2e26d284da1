using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Functional;

/// <summary>
/// A browser-grade SSE client this project did not write (npm eventsource) against the real server: when its
/// connection drops it reconnects by itself, sends Last-Event-ID, and gets exactly the messages it missed, including
/// those published while it could not reach the server: every offset once, in order.
/// </summary>
public abstract class EventSourceResumeTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    private async Task Publish(string topic, int n) =>
        Assert.Equal(n, (await _http.ApiPostAsync($"/api/topics/{topic}/messages", $$"""{"payload":{{n}}}""")).Json["offset"]!.GetValue<int>());

    [Fact]
    public async Task The_npm_eventsource_client_reconnects_with_last_event_id_and_misses_nothing_published_while_cut_off()
    {
        var topic = "es." + Guid.NewGuid().ToString("N")[..12];
        for (var i = 1; i <= 5; i++) await Publish(topic, i);
        await using var proxy = new CuttableProxy(fixture.Server.BaseAddress);
        await using var client = await NodeSseClient.StartAsync(new Uri(proxy.Address, $"/api/topics/{topic}/events?from=first"));
        bool Saw(string line, int id) => line.StartsWith('{') && JsonNode.Parse(line)!["id"]?.GetValue<string>() == id.ToString();

        await client.WaitForLineAsync(l => Saw(l, 5), "the history (offsets 1-5)");
        proxy.Cut();
        // The client has noticed the drop before anything more is published: what follows it can only get by resuming.
        await client.WaitForLineAsync(l => l.Contains("\"error\""), "the client to notice the cut");
        for (var i = 6; i <= 10; i++) await Publish(topic, i);
        proxy.Restore();
        await client.WaitForLineAsync(l => Saw(l, 10), "the messages published while cut off");
        await Publish(topic, 11);
        await Publish(topic, 12);
        await client.WaitForLineAsync(l => Saw(l, 12), "live messages after the reconnect");

        var messages = client.Stdout.Split('\n').Select(l => JsonNode.Parse(l)!).Where(j => j["id"] is not null).ToList();
        Assert.Equal(Enumerable.Range(1, 12).Select(i => i.ToString()), messages.Select(m => m["id"]!.GetValue<string>()));
        Assert.Equal(Enumerable.Range(1, 12), messages.Select(m => JsonNode.Parse(m["data"]!.GetValue<string>())!["payload"]!.GetValue<int>()));
        // The resume came from the client's own Last-Event-ID (the URL still says from=first, which would repeat 1-5).
        Assert.Contains(proxy.Requests.Skip(1), r => r.Contains("\r\nlast-event-id: 5", StringComparison.OrdinalIgnoreCase));
    }
}

public sealed class EventSourceResumeOnSqlite(SqliteServerFixture f) : EventSourceResumeTests(f), IClassFixture<SqliteServerFixture>;

public sealed class EventSourceResumeOnPostgres(PostgresServerFixture f) : EventSourceResumeTests(f), IClassFixture<PostgresServerFixture>;
