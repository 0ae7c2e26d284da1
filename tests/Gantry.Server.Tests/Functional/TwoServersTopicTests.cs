using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Functional;

/// <summary>Two <c>gantry server</c> processes on one PostgreSQL database, with the fallback poll out of reach so only
/// LISTEN/NOTIFY between them can carry a publish from one to the other.</summary>
public sealed class TwoServersFixture : IAsyncLifetime
{
    public TestStore Store { get; private set; } = null!;
    public ServerProcess A { get; private set; } = null!;
    public ServerProcess B { get; private set; } = null!;
    public HttpClient HttpA { get; private set; } = null!;
    public HttpClient HttpB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Store = await TestStore.PostgresAsync();
        var env = new Dictionary<string, string?> { ["GANTRY_TIMINGS__FALLBACKPOLLINTERVAL"] = "00:10:00" };
        A = await ServerProcess.StartAsync(Store, env);
        B = await ServerProcess.StartAsync(Store, env);
        HttpA = new HttpClient { BaseAddress = A.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        HttpB = new HttpClient { BaseAddress = B.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
    }

    public async Task DisposeAsync()
    {
        HttpA?.Dispose();
        HttpB?.Dispose();
        if (A is not null) await A.DisposeAsync();
        if (B is not null) await B.DisposeAsync();
        if (Store is not null) await Store.DisposeAsync();
    }
}

/// <summary>
/// Topics across two servers (the job side is Api/TwoPostgresServersTests.cs): a publish through one reaches a live
/// subscriber and a long poll on the other, a consumer group with a member on each shares the messages without
/// delivering one to both, and publishers on both servers at once never let a reader see a gap that fills in later.
/// </summary>
public sealed class TwoServersTopicTests(TwoServersFixture servers) : IClassFixture<TwoServersFixture>
{
    private static string Topic(string prefix) => prefix + "." + Guid.NewGuid().ToString("N")[..12];

    private static async Task<long> Publish(HttpClient http, string topic, string payload)
    {
        var r = await http.ApiPostAsync($"/api/topics/{topic}/messages", $$"""{"payload":{{payload}}}""");
        Assert.True(r.Status == HttpStatusCode.OK, r.ToString());
        return r.Json["offset"]!.GetValue<long>();
    }

    [Fact]
    public async Task A_publish_through_one_server_reaches_an_sse_subscriber_and_a_long_poll_on_the_other()
    {
        var topic = Topic("two.live");
        await Publish(servers.HttpA, topic, "1");
        using var sse = await SseReader.OpenAsync(servers.HttpB, $"/api/topics/{topic}/events?from=last");
        await Eventually.TrueAsync(async () => (await servers.HttpB.ApiGetAsync($"/api/topics/{topic}/subscribers")).Json["subscribers"]!.AsArray().Count == 1,
            "the subscriber to be live on B");
        // The wait outlasts the test's limits: without the notification it would come back empty and fail.
        var longPoll = servers.HttpB.ApiGetAsync($"/api/topics/{topic}/messages?after=1&wait=50");

        Assert.Equal(2, await Publish(servers.HttpA, topic, "2"));

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var live = await sse.NextAsync(limit.Token);
        Assert.Equal((2L, 2), (live!.Offset, live.Json["payload"]!.GetValue<int>()));
        var page = await longPoll.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, Assert.Single(page.Json["messages"]!.AsArray())!["offset"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_consumer_group_with_a_member_on_each_server_delivers_each_message_to_one_of_them()
    {
        const int messages = 40;
        var topic = Topic("two.group");
        await Publish(servers.HttpA, topic, "0");
        Assert.Equal(HttpStatusCode.OK, (await servers.HttpA.SendAsync(HttpMethod.Put, $"/api/topics/{topic}/groups/g", "{}")).Status);
        for (var i = 1; i <= messages; i++) await Publish(i % 2 == 0 ? servers.HttpA : servers.HttpB, topic, i.ToString());

        var delivered = new ConcurrentBag<(string Member, long Offset)>();
        await Task.WhenAll(new[] { ("a", servers.HttpA), ("b", servers.HttpB) }.Select(m => Task.Run(async () =>
        {
            while (delivered.Count < messages)
            {
                var r = await m.Item2.ApiPostAsync($"/api/topics/{topic}/groups/g/fetch", $$"""{"max":3,"member":"{{m.Item1}}","wait":0.2}""");
                Assert.True(r.Status == HttpStatusCode.OK, r.ToString());
                var batch = r.Json["messages"]!.AsArray();
                if (batch.Count == 0) continue;
                foreach (var d in batch) delivered.Add((m.Item1, d!["offset"]!.GetValue<long>()));
                var ids = string.Join(",", batch.Select(d => $"\"{d!["delivery_id"]!.GetValue<string>()}\""));
                var ack = await m.Item2.ApiPostAsync($"/api/topics/{topic}/groups/g/ack", $$"""{"delivery_ids":[{{ids}}]}""");
                Assert.All(ack.Json["results"]!.AsArray(), a => Assert.Equal("acked", a!["outcome"]!.GetValue<string>()));
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Enumerable.Range(2, messages).Select(i => (long)i), delivered.Select(d => d.Offset).Order());
        var group = await servers.HttpB.ApiGetAsync($"/api/topics/{topic}/groups/g");
        Assert.Equal((messages + 1L, 0L), (group.Json["committed"]!.GetValue<long>(), group.Json["lag"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Publishers_on_both_servers_at_once_never_show_a_reader_a_gap_that_fills_in_later()
    {
        const int perPublisher = 40, publishers = 4, total = perPublisher * publishers;
        var topic = Topic("two.order");
        await Publish(servers.HttpA, topic, "0");
        using var sse = await SseReader.OpenAsync(servers.HttpB, $"/api/topics/{topic}/events?from=first");

        // Two publishers per server, all at once: offsets are taken on both sides of the database concurrently.
        var publishing = Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(async () =>
        {
            var http = p % 2 == 0 ? servers.HttpA : servers.HttpB;
            for (var i = 0; i < perPublisher; i++) await Publish(http, topic, $"\"{p}-{i}\"");
        })));
        // A long-poll reader on A and the live reader on B each see strictly consecutive offsets: a reader that saw a
        // later offset before an earlier one was committed would skip the earlier one for ever.
        var polled = Task.Run(async () =>
        {
            var seen = new List<long>();
            for (long after = 0; after < total + 1;)
            {
                var page = await servers.HttpA.ApiGetAsync($"/api/topics/{topic}/messages?after={after}&wait=10");
                foreach (var m in page.Json["messages"]!.AsArray()) seen.Add(m!["offset"]!.GetValue<long>());
                after = page.Json["next"]!.GetValue<long>();
            }
            return seen;
        });
        var live = new List<long>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (live.Count < total + 1) live.Add((await sse.NextAsync(limit.Token))!.Offset);
        await publishing;

        var expected = Enumerable.Range(1, total + 1).Select(i => (long)i).ToList();
        Assert.Equal(expected, live);
        Assert.Equal(expected, await polled.WaitAsync(TimeSpan.FromSeconds(60)));
    }
}
