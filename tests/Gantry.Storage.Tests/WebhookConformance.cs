using Gantry.Core.Storage;
using Gantry.Core.Webhooks;
using Xunit;

namespace Gantry.Storage.Tests;

/// <summary>The webhooks port (<see cref="IWebhookStore"/>): settings round-trip, a fresh start replaces the cursors and
/// an update keeps them, and a cursor only moves forward and only for the webhook's current epoch.</summary>
public abstract class WebhookConformance(StoreDriver driver) : StoreConformance(driver)
{
    private IWebhookStore Webhooks => S.Store.Webhooks;

    private Webhook Hook(string epoch, string url = "https://receiver.example/hooks") =>
        new("orders-hook", "orders.*", url, "whsec_" + Convert.ToBase64String(new byte[32]), epoch, S.Now, S.Now);

    [Fact]
    public async Task A_saved_webhook_reads_back_with_its_cursors_and_is_listed_and_deleted()
    {
        var (saved, created) = await Webhooks.WebhookSave(Hook("e1"), [new WebhookCursor("orders.eu", 7, S.Now)], default);
        Assert.True(created);
        Assert.Equal("orders.*", saved.Topic);
        Assert.Equal("e1", saved.Epoch);
        Assert.Equal(7, saved.CursorOf("orders.eu"));
        Assert.Equal(0, saved.CursorOf("orders.us"));
        Assert.Equal(S.Now, saved.CreatedAt);
        Assert.Equal(["orders-hook"], (await Webhooks.WebhookList(default)).Select(w => w.Name));
        Assert.True(await Webhooks.WebhookDelete("orders-hook", default));
        Assert.Null(await Webhooks.WebhookGet("orders-hook", default));
        Assert.False(await Webhooks.WebhookDelete("orders-hook", default));
    }

    [Fact]
    public async Task An_update_without_cursors_keeps_epoch_and_cursors_and_a_fresh_start_replaces_them()
    {
        await Webhooks.WebhookSave(Hook("e1"), [new WebhookCursor("orders.eu", 7, S.Now)], default);
        var (updated, created) = await Webhooks.WebhookSave(Hook("ignored", "https://other.example/"), null, default);
        Assert.False(created);
        Assert.Equal("https://other.example/", updated.Url);
        Assert.Equal("e1", updated.Epoch);
        Assert.Equal(7, updated.CursorOf("orders.eu"));

        var (restarted, _) = await Webhooks.WebhookSave(Hook("e2"), [new WebhookCursor("orders.us", 3, S.Now)], default);
        Assert.Equal("e2", restarted.Epoch);
        Assert.Equal(0, restarted.CursorOf("orders.eu"));
        Assert.Equal(3, restarted.CursorOf("orders.us"));
    }

    [Fact]
    public async Task A_cursor_moves_only_forward_and_only_for_the_current_epoch()
    {
        await Webhooks.WebhookSave(Hook("e1"), [], default);
        Assert.True(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", 5, S.Now, default));
        Assert.False(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", 4, S.Now, default));
        Assert.False(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", 5, S.Now, default));
        Assert.False(await Webhooks.WebhookAdvance("orders-hook", "old", "orders.eu", 9, S.Now, default));
        Assert.False(await Webhooks.WebhookAdvance("nobody", "e1", "orders.eu", 9, S.Now, default));
        Assert.True(await Webhooks.WebhookAdvance("orders-hook", "e1", "orders.eu", 6, S.Now, default));
        Assert.Equal(6, (await Webhooks.WebhookGet("orders-hook", default))!.CursorOf("orders.eu"));
    }
}
