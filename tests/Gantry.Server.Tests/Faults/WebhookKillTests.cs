using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Server.Tests.Webhooks;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Faults;

/// <summary>
/// Webhook delivery is at least once across <c>kill -9</c>: a <c>gantry server</c> process is killed while its POST of
/// a message is held open by the receiver; started again on the same store it POSTs that message again (with the same
/// <c>webhook-id</c>) once the dead server's lease on the delivery job ends, then every later message, the ones
/// published before the kill and after the restart, in order of first delivery. And a memory topic, whose history a
/// restart ends, is delivered from its new epoch's first message.
/// </summary>
public abstract class WebhookKillTests : IAsyncLifetime
{
    private const string Topic = "kill.hooks";
    private const string Name = "kill-hook";

    /// <summary>The message whose first POST is in flight when the server is killed.</summary>
    private const long HeldOffset = 3;

    private const int BeforeKill = 6;
    private const int AfterRestart = 2;

    /// <summary>Quick retries and lease checks, and a short delivery lease (2 s timeout + 1 s margin), so the job the
    /// killed server held is taken back within seconds. The test waits on conditions, never on these times.</summary>
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["GANTRY_RETRY__BASEDELAY"] = "00:00:00.05",
        ["GANTRY_RETRY__MAXDELAY"] = "00:00:00.2",
        ["GANTRY_RETRY__JITTER"] = "0",
        ["GANTRY_TIMINGS__LEASECHECKINTERVAL"] = "00:00:00.1",
        ["GANTRY_WEBHOOKS__TIMEOUT"] = "00:00:02",
        ["GANTRY_WEBHOOKS__LEASEMARGIN"] = "00:00:01",
    };

    private TestStore _store = null!;

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static async Task PublishAsync(HttpClient http, int from, int count)
    {
        for (var i = from; i < from + count; i++)
        {
            var r = await http.ApiPostAsync($"/api/topics/{Topic}/messages", $$"""{"payload":{{i}}}""");
            Assert.True(r.Code is >= 200 and < 300, r.ToString());
            Assert.Equal(i, r.Json["offset"]!.GetValue<long>());
        }
    }

    [Fact]
    public async Task A_delivery_cut_by_kill_9_is_posted_again_after_restart_and_every_message_arrives_in_order()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = 0;
        await using var receiver = new WebhookReceiver
        {
            // Holds the first POST of HeldOffset unanswered until the server that sent it is dead.
            BeforeAnswer = async post =>
            {
                if (post.Offset != HeldOffset || Interlocked.Exchange(ref holding, 1) == 1) return;
                held.TrySetResult();
                await release.Task;
            },
        };
        try
        {
            await using (var server = await ServerProcess.StartAsync(_store, Settings))
            {
                using var http = new HttpClient { BaseAddress = server.BaseAddress };
                var put = await http.SendAsync(HttpMethod.Put, $"/api/webhooks/{Name}", $$"""{"topic":"{{Topic}}","url":"{{receiver.Url}}"}""");
                Assert.True(put.Status == HttpStatusCode.Created, put.ToString());
                await PublishAsync(http, 1, BeforeKill);
                await held.Task.WaitAsync(Eventually.DefaultLimit);
                await server.KillAsync();
            }
        }
        finally
        {
            release.TrySetResult(); // the answer goes to a dead connection
        }

        await using var restarted = await ServerProcess.StartAsync(_store, Settings);
        using var after = new HttpClient { BaseAddress = restarted.BaseAddress };
        await PublishAsync(after, BeforeKill + 1, AfterRestart);
        const int total = BeforeKill + AfterRestart;
        await Eventually.TrueAsync(() => receiver.Posts.Select(p => p.Offset).Distinct().Count() >= total, "every message delivered after the restart");

        var posts = receiver.Posts.ToArray();
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), posts.Select(p => p.Offset).Distinct());
        Assert.Equal(Enumerable.Range(1, total).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            posts.DistinctBy(p => p.Offset).Select(p => p.Text));
        foreach (var repeats in posts.GroupBy(p => p.Offset))
            Assert.Single(repeats.Select(p => p.Headers["webhook-id"]).Distinct());
        // The POST cut by the kill was never answered to a live server: it must have been sent again.
        Assert.True(posts.Count(p => p.Offset == HeldOffset) >= 2, $"offset {HeldOffset} was POSTed only once");
        await Eventually.TrueAsync(async () =>
            (await after.ApiGetAsync($"/api/webhooks/{Name}")).Json["cursors"]!.AsArray().Any(c => c!["offset"]!.GetValue<long>() == total),
            $"the cursor to reach offset {total}");
    }

    /// <summary>Run on SQLite only: on a store several servers may share (PostgreSQL) a webhook on a memory topic is
    /// refused (WebhookTopicHistoryTests shows it), since each server has its own ring under one cursor.</summary>
    protected async Task MemoryTopicWebhookAfterRestartAsync()
    {
        const string memory = "kill.hooks.memory";
        await using var receiver = new WebhookReceiver();
        string oldEpoch;
        await using (var server = await ServerProcess.StartAsync(_store, Settings))
        {
            using var http = new HttpClient { BaseAddress = server.BaseAddress };
            var declared = await http.SendAsync(HttpMethod.Put, $"/api/topics/{memory}", """{"lane":"memory"}""");
            Assert.True(declared.Code is >= 200 and < 300, declared.ToString());
            var put = await http.SendAsync(HttpMethod.Put, $"/api/webhooks/{Name}", $$"""{"topic":"{{memory}}","url":"{{receiver.Url}}"}""");
            Assert.True(put.Status == HttpStatusCode.Created, put.ToString());
            for (var i = 1; i <= 3; i++) await http.ApiPostAsync($"/api/topics/{memory}/messages", $$"""{"payload":"before{{i}}"}""");
            await Eventually.TrueAsync(async () =>
                (await http.ApiGetAsync($"/api/webhooks/{Name}")).Json["cursors"]!.AsArray().Any(c => c!["offset"]!.GetValue<long>() == 3),
                "the first epoch delivered up to offset 3");
            oldEpoch = (await http.ApiGetAsync($"/api/topics/{memory}")).Json["epoch"]!.GetValue<string>();
            await server.KillAsync();
        }

        await using var restarted = await ServerProcess.StartAsync(_store, Settings);
        using var after = new HttpClient { BaseAddress = restarted.BaseAddress };
        // The ring is new (offsets from 1 again): the old cursor at 3 must not hide these two.
        for (var i = 1; i <= 2; i++) await after.ApiPostAsync($"/api/topics/{memory}/messages", $$"""{"payload":"after{{i}}"}""");
        var newEpoch = (await after.ApiGetAsync($"/api/topics/{memory}")).Json["epoch"]!.GetValue<string>();
        Assert.NotEqual(oldEpoch, newEpoch);
        await Eventually.TrueAsync(() => receiver.Posts.Count >= 5, "the new epoch's two messages");
        var posts = receiver.Posts.ToArray();
        Assert.Equal(["\"before1\"", "\"before2\"", "\"before3\"", "\"after1\"", "\"after2\""], posts.Select(p => p.Text));
        Assert.Equal([$"{memory}:{newEpoch}:1", $"{memory}:{newEpoch}:2"], posts.Skip(3).Select(p => p.Headers["webhook-id"]));
    }
}

public sealed class WebhookKillOnSqlite : WebhookKillTests
{
    [Fact]
    public Task A_memory_topics_webhook_delivers_the_new_epochs_messages_from_the_first_after_a_restart() =>
        MemoryTopicWebhookAfterRestartAsync();

    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

public sealed class WebhookKillOnPostgres : WebhookKillTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
}
