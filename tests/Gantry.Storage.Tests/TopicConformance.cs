using System.Text;
using Gantry.Core.Engine;
using Gantry.Core.Storage;
using Gantry.Core.Topics;
using Xunit;

namespace Gantry.Storage.Tests;

/// <summary>The topic log (<see cref="ITopicStore"/>) and consumer groups (<see cref="IGroupStore"/>) ports, above all:
/// offsets become visible in order, a repeated message id is stored once, and a group hands each message to one member.</summary>
public abstract class TopicConformance(StoreDriver driver) : StoreConformance(driver)
{
    private static readonly GroupPolicy Policy = new(TimeSpan.FromSeconds(30), MaxDeliveries: 3);

    private ITopicStore Topics => S.Store.Topics;
    private IGroupStore Groups => S.Store.Groups;

    private static NewMessage Msg(string body, string? id = null, IReadOnlyDictionary<string, string>? headers = null) =>
        new(id ?? Guid.NewGuid().ToString("N"), id is not null, Encoding.UTF8.GetBytes(body), "text/plain", headers);

    private Task<PublishOutcome> Append(string topic, params NewMessage[] messages) =>
        Topics.TopicAppend(topic, messages, "e1", S.Now, S.Now - TimeSpan.FromMinutes(2), default);

    private static string Body(TopicMessage m) => Encoding.UTF8.GetString(m.Body.Span);

    [Fact]
    public async Task Offsets_start_at_1_and_messages_read_back_with_every_field()
    {
        var headers = new Dictionary<string, string> { ["trace"] = "abc", ["kind"] = "créé" };
        var outcome = await Append("orders.created", Msg("one", "m-1", headers), Msg("two"));
        Assert.Equal([1L, 2L], outcome.Results.Select(r => r.Offset));
        Assert.All(outcome.Results, r => Assert.False(r.Duplicate));
        Assert.Equal("e1", outcome.Epoch);

        var read = (await Topics.TopicRead("orders.created", 0, 10, default))!;
        Assert.Equal(["one", "two"], read.Messages.Select(Body));
        var first = read.Messages[0];
        Assert.Equal("m-1", first.Id);
        Assert.Equal("text/plain", first.ContentType);
        Assert.Equal(headers, first.Headers);
        Assert.Equal(S.Now, first.PublishedAt);
        Assert.Equal((1L, 2L, "e1"), (read.FirstOffset, read.LastOffset, read.Epoch));
        Assert.Equal(["two"], (await Topics.TopicRead("orders.created", 1, 10, default))!.Messages.Select(Body));
        Assert.Null(await Topics.TopicRead("nobody", 0, 10, default));
        Assert.Equal("e1", (await Append("orders.created", Msg("three"))).Epoch); // the epoch stays with the topic
    }

    [Fact]
    public async Task A_repeated_id_within_the_window_is_stored_once_and_names_the_original_offset()
    {
        await Append("t", Msg("a", "x"));
        var again = await Append("t", Msg("a again", "x"), Msg("b", "y"), Msg("b again", "y"));
        Assert.Equal([new PublishResult(1, true), new PublishResult(2, false), new PublishResult(2, true)], again.Results);
        S.Time.Advance(TimeSpan.FromMinutes(3));
        var later = await Append("t", Msg("a, outside the window", "x"));
        Assert.Equal(new PublishResult(3, false), later.Results[0]);
        Assert.Equal(["a", "b", "a, outside the window"], (await Topics.TopicRead("t", 0, 10, default))!.Messages.Select(Body));
    }

    [Fact]
    public async Task Readers_never_see_a_gap_fill_in_under_concurrent_publishers_on_every_server()
    {
        var servers = new List<IStore> { S.Store };
        if (Driver.SupportsSeveralServers) servers.Add(await OpenAsync(new JobSignals(), S.Time));
        using var stop = new CancellationTokenSource();
        var publishers = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            var store = servers[i % servers.Count];
            for (var n = 0; n < 60; n++)
                await store.Topics.TopicAppend("race", [Msg($"{i}-{n}")], "e1", S.Now, S.Now, default);
        })).ToList();
        // A reader that remembers the highest offset it saw and checks that every later read continues right after it.
        var violations = new List<string>();
        var reader = Task.Run(async () =>
        {
            long seen = 0;
            var store = servers[^1];
            while (!stop.IsCancellationRequested || seen < 360)
            {
                var read = await store.Topics.TopicRead("race", seen, 1000, default);
                if (read is null) continue;
                foreach (var m in read.Messages)
                {
                    if (m.Offset != seen + 1) violations.Add($"after {seen} came {m.Offset}");
                    seen = m.Offset;
                }
                if (seen >= 360) break;
            }
        });
        await Task.WhenAll(publishers);
        stop.Cancel();
        await reader.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Empty(violations);
        var all = (await Topics.TopicRead("race", 0, 1000, default))!;
        Assert.Equal(Enumerable.Range(1, 360).Select(i => (long)i), all.Messages.Select(m => m.Offset));
    }

    [Fact]
    public async Task Appends_are_announced_with_their_range()
    {
        var published = S.Signals.Topics.NextPublished("news");
        await Append("news", Msg("a"), Msg("b"));
        await published.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Pruning_keeps_the_newest_by_count_and_age_and_reads_report_the_first_kept()
    {
        for (var i = 1; i <= 5; i++)
        {
            await Append("p", Msg($"m{i}"));
            S.Time.Advance(TimeSpan.FromMinutes(1));
        }
        Assert.Equal(2, await Topics.TopicPrune("p", throughOffset: 2, publishedBefore: DateTimeOffset.MinValue, limit: 100, default));
        var read = (await Topics.TopicRead("p", 0, 10, default))!;
        Assert.Equal((3L, 5L), (read.FirstOffset, read.LastOffset));
        Assert.Equal(["m3", "m4", "m5"], read.Messages.Select(Body));
        // By age: everything before now is old, but the newest message always stays.
        Assert.Equal(2, await Topics.TopicPrune("p", 0, S.Now, 100, default));
        var info = (await Topics.TopicGet("p", default))!;
        Assert.Equal((5L, 5L, 1L), (info.FirstOffset, info.LastOffset, info.MessageCount));
        Assert.Equal(4, await Topics.TopicOffsetBefore("p", S.Now - TimeSpan.FromHours(1), default));
    }

    [Fact]
    public async Task Settings_saved_read_back_and_delete_forgets_the_topic_and_its_epoch()
    {
        var saved = await Topics.TopicSave("s", new TopicSettings(100, TimeSpan.FromHours(2), 4096, TopicLane.Memory), "e9", S.Now, default);
        Assert.Equal(new TopicSettings(100, TimeSpan.FromHours(2), 4096, TopicLane.Memory), saved.Settings);
        Assert.True(saved.Declared);
        Assert.Equal("e9", saved.Epoch);
        await Append("s", Msg("x"));
        Assert.Equal(["s"], (await Topics.TopicList(default)).Select(t => t.Name));
        Assert.True(await Topics.TopicDelete("s", default));
        Assert.False(await Topics.TopicDelete("s", default));
        var again = await Topics.TopicAppend("s", [Msg("y")], "e10", S.Now, S.Now, default);
        Assert.Equal(("e10", 1L), (again.Epoch, again.Results[0].Offset));
    }

    [Fact]
    public async Task A_new_group_starts_after_the_newest_message_and_shares_messages_between_members()
    {
        await Append("g", Msg("old"));
        Assert.Null(await Groups.GroupFetch("nope", "workers", "a", 10, Policy, S.Now, default));
        Assert.Empty((await Groups.GroupFetch("g", "workers", "a", 10, Policy, S.Now, default))!.Deliveries);
        await Append("g", Msg("1"), Msg("2"), Msg("3"));
        var a = (await Groups.GroupFetch("g", "workers", "a", 2, Policy, S.Now, default))!.Deliveries;
        var b = (await Groups.GroupFetch("g", "workers", "b", 10, Policy, S.Now, default))!.Deliveries;
        Assert.Equal(["1", "2"], a.Select(d => Body(d.Message)));
        Assert.Equal(["3"], b.Select(d => Body(d.Message)));
        Assert.All(a.Concat(b), d => Assert.Equal(1, d.Attempt));

        Assert.Equal([DeliveryOutcome.Done, DeliveryOutcome.Lost], await Groups.GroupAck("g", "workers", [a[0].Ref, new DeliveryRef(2, 7)], default));
        var info = (await Groups.GroupGet("g", "workers", default))!;
        Assert.Equal((2L, 4L, 4L, 2L), (info.Committed, info.Delivered, info.LastOffset, info.InFlight));
        Assert.Equal(2, info.Lag);
    }

    [Fact]
    public async Task A_lapsed_lease_redelivers_and_the_old_member_cannot_settle_it()
    {
        await Groups.GroupSave("r", "g", Policy, null, S.Now, default); // no topic yet
        await Append("r", Msg("x"));
        Assert.NotNull(await Groups.GroupSave("r", "g", Policy, 0, S.Now, default));
        var first = (await Groups.GroupFetch("r", "g", "a", 1, Policy, S.Now, default))!;
        Assert.Equal(S.Now + Policy.AckTimeout, first.NextRedeliveryAt);
        S.Time.Advance(TimeSpan.FromSeconds(31));
        var again = (await Groups.GroupFetch("r", "g", "b", 1, Policy, S.Now, default))!.Deliveries.Single();
        Assert.Equal((1L, 2), (again.Message.Offset, again.Attempt));
        Assert.Equal([DeliveryOutcome.Lost], await Groups.GroupAck("r", "g", [first.Deliveries[0].Ref], default));
        Assert.Equal([DeliveryOutcome.Done], await Groups.GroupAck("r", "g", [again.Ref], default));
        Assert.Equal(1, (await Groups.GroupGet("r", "g", default))!.Committed);
    }

    [Fact]
    public async Task Nacks_redeliver_after_their_delay_and_the_last_delivery_goes_to_dead_letters_for_replay()
    {
        await Append("n", Msg("seed"));
        await Groups.GroupSave("n", "g", Policy, 0, S.Now, default);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var d = (await Groups.GroupFetch("n", "g", "a", 1, Policy, S.Now, default))!.Deliveries.Single();
            Assert.Equal(attempt, d.Attempt);
            var outcome = await Groups.GroupNack("n", "g", [d.Ref], S.Now + TimeSpan.FromSeconds(5), S.Now, default);
            Assert.Equal(attempt < 3 ? DeliveryOutcome.Done : DeliveryOutcome.DeadLettered, outcome.Single());
            Assert.Empty((await Groups.GroupFetch("n", "g", "a", 1, Policy, S.Now, default))!.Deliveries);
            S.Time.Advance(TimeSpan.FromSeconds(5));
        }
        Assert.Empty((await Groups.GroupFetch("n", "g", "a", 1, Policy, S.Now, default))!.Deliveries);
        // The dead letter keeps its message even after the log is pruned.
        await Append("n", Msg("newer"));
        await Topics.TopicPrune("n", 1, DateTimeOffset.MinValue, 10, default);
        var dead = (await Groups.GroupListDead("n", "g", 0, 10, default)).Single();
        Assert.Equal(("seed", 3), (Body(dead.Message), dead.Attempts));
        Assert.Equal(1, (await Groups.GroupGet("n", "g", default))!.Dead);

        Assert.Equal(1, await Groups.GroupReplayDead("n", "g", null, S.Now, default));
        var replayed = (await Groups.GroupFetch("n", "g", "a", 10, Policy, S.Now, default))!.Deliveries;
        Assert.Equal(["seed", "newer"], replayed.Select(d => Body(d.Message)));
        Assert.Equal(1, replayed[0].Attempt);
    }

    [Fact]
    public async Task Reset_moves_the_cursor_for_a_replay_and_drops_what_was_in_flight()
    {
        await Append("z", Msg("1"), Msg("2"), Msg("3"));
        await Groups.GroupSave("z", "g", Policy, 0, S.Now, default);
        var held = (await Groups.GroupFetch("z", "g", "a", 3, Policy, S.Now, default))!.Deliveries;
        Assert.Equal(3, held.Count);
        Assert.True(await Groups.GroupReset("z", "g", 1, Policy, S.Now, default));
        Assert.False(await Groups.GroupReset("none", "g", 0, Policy, S.Now, default));
        Assert.Equal([DeliveryOutcome.Lost], await Groups.GroupAck("z", "g", [held[2].Ref], default));
        var replay = (await Groups.GroupFetch("z", "g", "a", 10, Policy, S.Now, default))!.Deliveries;
        Assert.Equal(["2", "3"], replay.Select(d => Body(d.Message)));
        Assert.Equal(["g"], (await Groups.GroupList("z", default)).Select(g => g.Name));
        Assert.True(await Groups.GroupDelete("z", "g", default));
        Assert.Null(await Groups.GroupGet("z", "g", default));
    }

    [Fact]
    public async Task Concurrent_fetchers_on_every_server_never_get_the_same_message()
    {
        var servers = new List<IStore> { S.Store };
        if (Driver.SupportsSeveralServers) servers.Add(await OpenAsync(new JobSignals(), S.Time));
        await Append("c", Msg("seed"));
        await Groups.GroupSave("c", "g", Policy, 1, S.Now, default);
        await Topics.TopicAppend("c", Enumerable.Range(0, 200).Select(i => Msg($"m{i}")).ToArray(), "e1", S.Now, S.Now, default);
        var got = new System.Collections.Concurrent.ConcurrentBag<long>();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            var store = servers[i % servers.Count];
            while (true)
            {
                var fetch = (await store.Groups.GroupFetch("c", "g", $"m{i}", 7, Policy, S.Now, default))!;
                if (fetch.Deliveries.Count == 0) return;
                foreach (var d in fetch.Deliveries) got.Add(d.Message.Offset);
                await store.Groups.GroupAck("c", "g", fetch.Deliveries.Select(d => d.Ref).ToList(), default);
            }
        })));
        Assert.Equal(Enumerable.Range(2, 200).Select(i => (long)i), got.OrderBy(o => o));
        Assert.Equal(201, (await Groups.GroupGet("c", "g", default))!.Committed);
    }
}
