using Gantry.Core.Storage;
using Gantry.Core.Webhooks;
using Xunit;

namespace Gantry.Storage.Tests;

/// <summary>The webhooks port (<see cref="IWebhookStore"/>): settings round-trip, a fresh start replaces the cursors and
/// an update keeps them, a cursor only moves forward and only for the webhook's current epoch, and a cursor belongs to
/// one history of its topic (a topic created again starts it over).</summary>
public abstract class WebhookConformance(StoreDriver driver) : StoreConformance(driver)
{
    private IWebhookStore Webhooks => S.Store.Webhooks;

    private Webhook Hook(string epoch, string url = "https://receiver.example/hooks") =>
        new("orders-hook", "orders.*", url, "whsec_" + Convert.ToBase64String(new byte[32]), epoch, S.Now, S.Now);

    [Fact]
    public async Task A_saved_webhook_reads_back_with_its_cursors_and_is_listed_and_deleted()
    {
        var (saved, created) = await Webhooks.WebhookSave(Hook("e1"), [new WebhookCursor("orders.eu", "t1", 7, S.Now)], default);
        Assert.True(created);
        Assert.Equal("orders.*", saved.Topic);
        Assert.Equal("e1", saved.Epoch);
        Assert.Equal(7, saved.CursorOf("orders.eu", "t1"));
        Assert.Equal(0, saved.CursorOf("orders.us", "t1"));
        Assert.Equal(S.Now, saved.CreatedAt);
        Assert.Equal(["orders-hook"], (await Webhooks.WebhookList(default)).Select(w => w.Name));
        Assert.True(await Webhooks.WebhookDelete("orders-hook", default));
        Assert.Null(await Webhooks.WebhookGet("orders-hook", default));
        Assert.False(await Webhooks.WebhookDelete("orders-hook", default));
    }

    [Fact]
    public async Task An_update_without_cursors_keeps_epoch_and_cursors_and_a_fresh_start_replaces_them()
    {
        await Webhooks.WebhookSave(Hook("e1"), [new WebhookCursor("orders.eu", "t1", 7, S.Now)], default);
        var (updated, created) = await Webhooks.WebhookSave(Hook("ignored", "https://other.example/"), null, default);
        Assert.False(created);
        Assert.Equal("https://other.example/", updated.Url);
        Assert.Equal("e1", updated.Epoch);
        Assert.Equal(7, updated.CursorOf("orders.eu", "t1"));

        var (restarted, _) = await Webhooks.WebhookSave(Hook("e2"), [new WebhookCursor("orders.us", "t1", 3, S.Now)], default);
        Assert.Equal("e2", restarted.Epoch);
        Assert.Equal(0, restarted.CursorOf("orders.eu", "t1"));
        Assert.Equal(3, restarted.CursorOf("orders.us", "t1"));
    }

    [Fact]
    public async Task A_cursor_moves_only_forward_and_only_for_the_current_epoch()
    {
        await Webhooks.WebhookSave(Hook("e1"), [], default);
        Assert.True(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", "t1", 5, S.Now, default));
        Assert.False(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", "t1", 4, S.Now, default));
        Assert.False(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", "t1", 5, S.Now, default));
        Assert.False(await Webhooks.WebhookAdvance("orders-hook", "old", "orders.eu", "t1", 9, S.Now, default));
        Assert.False(await Webhooks.WebhookAdvance("nobody", "e1", "orders.eu", "t1", 9, S.Now, default));
        Assert.True(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", "t1", 6, S.Now, default));
        Assert.Equal(6, (await Webhooks.WebhookGet("orders-hook", default))!.CursorOf("orders.eu", "t1"));
    }

    [Fact]
    public async Task A_cursor_remembers_its_topic_history_and_another_history_replaces_it_even_at_a_lower_offset()
    {
        await Webhooks.WebhookSave(Hook("e1"), [new WebhookCursor("orders.eu", "t1", 40, S.Now)], default);
        var saved = (await Webhooks.WebhookGet("orders-hook", default))!;
        Assert.Equal("t1", saved.CursorFor("orders.eu")!.TopicEpoch);
        Assert.Equal(40, saved.CursorOf("orders.eu", "t1"));
        Assert.Equal(0, saved.CursorOf("orders.eu", "t2")); // the topic created again: its history starts over

        // The topic was deleted and created again (epoch t2): its offset 1 moves the cursor although 1 < 40.
        Assert.True(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", "t2", 1, S.Now, default));
        var moved = (await Webhooks.WebhookGet("orders-hook", default))!;
        Assert.Equal(("t2", 1L), (moved.CursorFor("orders.eu")!.TopicEpoch, moved.CursorFor("orders.eu")!.Offset));
        Assert.Equal(0, moved.CursorOf("orders.eu", "t1"));
        // Within the new history it only moves forward again.
        Assert.False(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", "t2", 1, S.Now, default));
        Assert.True(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", "t2", 2, S.Now, default));
        Assert.Equal(2, (await Webhooks.WebhookGet("orders-hook", default))!.CursorOf("orders.eu", "t2"));
    }

    [Fact]
    public async Task A_cursor_of_no_history_yet_applies_to_any_and_takes_the_first_delivered_ones_epoch()
    {
        await Webhooks.WebhookSave(Hook("e1"), [new WebhookCursor("orders.eu", WebhookCursor.AnyEpoch, 4, S.Now)], default);
        var saved = (await Webhooks.WebhookGet("orders-hook", default))!;
        Assert.Equal(4, saved.CursorOf("orders.eu", "t9"));
        Assert.True(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", "t9", 5, S.Now, default));
        var bound = (await Webhooks.WebhookGet("orders-hook", default))!;
        Assert.Equal(("t9", 5L), (bound.CursorFor("orders.eu")!.TopicEpoch, bound.CursorOf("orders.eu", "t9")));
        Assert.Equal(0, bound.CursorOf("orders.eu", "t8"));
    }
}
