using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Webhooks;

/// <summary>A webhook follows its topic through a new history: a topic deleted and published to again starts at offset
/// 1 with a new epoch, and its messages are delivered from the first (an old cursor's higher offset must not hide them),
/// with <c>webhook-id</c>s that differ from the old history's. And a memory topic's messages are delivered like a
/// durable topic's, in order, identified by the ring's epoch.</summary>
public abstract class WebhookTopicHistoryTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    /// <summary>A store several servers may share (PostgreSQL): webhooks on memory topics are refused there.</summary>
    protected virtual bool SharedStore => false;

    private static string Topic() => "wh.h" + Guid.NewGuid().ToString("N")[..12];
    private static string Name() => "hook-" + Guid.NewGuid().ToString("N")[..10];

    private static string EpochOf(ReceivedPost post) => post.Headers["webhook-id"].Split(':')[^2];

    private async Task PublishAsync(string topic, params string[] payloads)
    {
        foreach (var p in payloads)
        {
            var r = await _http.ApiPostAsync($"/api/topics/{topic}/messages", $$"""{"payload":"{{p}}"}""");
            Assert.True(r.Code is >= 200 and < 300, r.ToString());
        }
    }

    [Fact]
    public async Task A_topic_deleted_and_created_again_is_delivered_from_its_new_first_message()
    {
        await using var receiver = new WebhookReceiver();
        var (topic, name) = (Topic(), Name());
        Assert.Equal(HttpStatusCode.Created, (await _http.SendAsync(HttpMethod.Put, $"/api/webhooks/{name}",
            $$"""{"topic":"{{topic}}","url":"{{receiver.Url}}"}""")).Status);
        await PublishAsync(topic, "old1", "old2", "old3");
        await Eventually.TrueAsync(async () =>
            (await _http.ApiGetAsync($"/api/webhooks/{name}")).Json["cursors"]!.AsArray().Any(c => c!["offset"]!.GetValue<long>() == 3),
            "the old history delivered up to offset 3");
        var oldEpoch = (await _http.ApiGetAsync($"/api/topics/{topic}")).Json["epoch"]!.GetValue<string>();

        Assert.Equal(HttpStatusCode.NoContent, (await _http.SendAsync(HttpMethod.Delete, $"/api/topics/{topic}")).Status);
        await PublishAsync(topic, "new1", "new2");
        var newEpoch = (await _http.ApiGetAsync($"/api/topics/{topic}")).Json["epoch"]!.GetValue<string>();
        Assert.NotEqual(oldEpoch, newEpoch);

        await Eventually.TrueAsync(() => receiver.Posts.Count >= 5, "the new history's two messages");
        var posts = receiver.Posts.ToArray();
        Assert.Equal(["\"old1\"", "\"old2\"", "\"old3\"", "\"new1\"", "\"new2\""], posts.Select(p => p.Text));
        Assert.Equal([1L, 2L, 3L, 1L, 2L], posts.Select(p => p.Offset));
        Assert.All(posts.Take(3), p => Assert.Equal(oldEpoch, EpochOf(p)));
        Assert.All(posts.Skip(3), p => Assert.Equal(newEpoch, EpochOf(p)));
        Assert.Equal(5, posts.Select(p => p.Headers["webhook-id"]).Distinct().Count());

        await Eventually.TrueAsync(async () =>
        {
            var cursor = (await _http.ApiGetAsync($"/api/webhooks/{name}")).Json["cursors"]!.AsArray().Single()!;
            return cursor["topic_epoch"]?.GetValue<string>() == newEpoch && cursor["offset"]!.GetValue<long>() == 2;
        }, "the cursor to stand at offset 2 of the new history");
    }

    [Fact]
    public async Task A_webhook_on_a_memory_topic_delivers_its_messages_in_order()
    {
        await using var receiver = new WebhookReceiver();
        var (topic, name) = (Topic(), Name());
        var declared = await _http.SendAsync(HttpMethod.Put, $"/api/topics/{topic}", """{"lane":"memory"}""");
        Assert.True(declared.Status == HttpStatusCode.OK || declared.Status == HttpStatusCode.Created, declared.ToString());
        Assert.Equal("memory", declared.Json["lane"]!.GetValue<string>());
        var put = await _http.SendAsync(HttpMethod.Put, $"/api/webhooks/{name}", $$"""{"topic":"{{topic}}","url":"{{receiver.Url}}"}""");
        if (SharedStore)
        {
            // Each server sharing the store has its own ring for the topic, and one cursor cannot follow them all.
            Assert.Equal(HttpStatusCode.BadRequest, put.Status);
            Assert.Equal("topic", put.Json["field"]!.GetValue<string>());
            Assert.Contains("memory topic", put.Json["detail"]!.GetValue<string>());
            return;
        }
        Assert.Equal(HttpStatusCode.Created, put.Status);

        var payloads = Enumerable.Range(1, 6).Select(i => $"m{i}").ToArray();
        await PublishAsync(topic, payloads);
        await Eventually.TrueAsync(() => receiver.Posts.Count >= payloads.Length, "six deliveries from the memory topic");

        var posts = receiver.Posts.ToArray();
        Assert.Equal(payloads.Select(p => $"\"{p}\""), posts.Select(p => p.Text));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), posts.Select(p => p.Offset));
        var ringEpoch = (await _http.ApiGetAsync($"/api/topics/{topic}")).Json["epoch"]!.GetValue<string>();
        Assert.All(posts, p => Assert.Equal($"{topic}:{ringEpoch}:{p.Offset}", p.Headers["webhook-id"]));
    }
}

public sealed class WebhookTopicHistoryOnSqlite(SqliteServerFixture f) : WebhookTopicHistoryTests(f), IClassFixture<SqliteServerFixture>;

public sealed class WebhookTopicHistoryOnPostgres(PostgresServerFixture f) : WebhookTopicHistoryTests(f), IClassFixture<PostgresServerFixture>
{
    protected override bool SharedStore => true;
}
