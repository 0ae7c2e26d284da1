using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Gantry.Core.Storage;
using Gantry.Core.Topics;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Webhooks;

/// <summary>
/// The webhooks' front door: every front saves, reads and deletes webhooks here, in the caller's terms (each error names
/// its field). Deliveries are run by <see cref="WebhookDispatcher"/>, told of every change through <see cref="Changed"/>.
/// </summary>
public sealed class WebhookEngine
{
    private readonly IWebhookStore _store;
    private readonly ITopicStore _topics;
    private readonly JobEngine _jobs;
    private readonly WebhookAddressGuard _guard;
    private readonly TimeProvider _time;
    private readonly TopicLog _log;
    private readonly bool _sharedStore;

    public WebhookEngine(IStore store, TopicLog topics, JobEngine jobs, WebhookAddressGuard guard, IOptions<GantryEngineOptions> options, TimeProvider time)
    {
        _store = store.Webhooks;
        _topics = topics;
        _log = topics;
        // A store that several servers may share (PostgreSQL): each has its own ring for a memory topic.
        _sharedStore = store.Capabilities.SupportsListener;
        _jobs = jobs;
        _guard = guard;
        _time = time;
        Options = options.Value.Webhooks;
    }

    public WebhookOptions Options { get; }

    /// <summary>Raised with a webhook's name after it was saved or deleted on this server.</summary>
    public event Action<string>? Changed;

    /// <summary>Creates or updates a webhook. A new webhook, another topic or an explicit <paramref name="from"/> starts
    /// it afresh (a new epoch: jobs of the old start are skipped); otherwise only the URL and secret change and delivery
    /// goes on from its cursors. <paramref name="from"/> is <c>last</c> (the default: only messages published from now
    /// on), <c>first</c> (every kept message) or an offset (the first to deliver; one topic only).</summary>
    public async Task<WebhookSaved> SaveAsync(string name, string? topic, string? url, string? secret, string? from, CancellationToken ct)
    {
        WebhookRules.ValidateName(name);
        if (string.IsNullOrEmpty(topic)) throw GantryException.Invalid("topic", "give the topic (or pattern, orders.*) to deliver.");
        var pattern = TopicPattern.Parse(topic, "topic");
        var uri = WebhookRules.ValidateUrl(url, Options);
        await CheckAddressAsync(uri, ct).ConfigureAwait(false);
        if (secret is not null) WebhookSecret.Key(secret);
        var start = from is null ? (StartPosition?)null : StartPosition.Parse(from, "from");
        if (start is { Kind: StartKind.Time }) throw GantryException.Invalid("from", "a webhook starts at first, last or an offset.");
        if (start is { Kind: StartKind.Offset } && !pattern.IsExact)
            throw GantryException.Invalid("from", "an offset names a message of one topic; a pattern starts at first or last.");
        // One webhook has one cursor per topic, kept in the store; a memory topic has a history per server. On a store
        // several servers share, they would take turns resetting that cursor to their own ring.
        if (_sharedStore && pattern.IsExact && (await _log.SettingsAsync(pattern.Text, ct).ConfigureAwait(false)).Lane == TopicLane.Memory)
            throw GantryException.Invalid("topic",
                $"'{pattern.Text}' is a memory topic: its messages live on each server separately, and on a PostgreSQL store several servers " +
                "share one webhook's cursor. Use a durable topic for webhooks here.");

        var existing = await _store.WebhookGet(name, ct).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var restart = existing is null || existing.Topic != pattern.Text || start is not null;
        var webhook = new Webhook(name, pattern.Text, uri.OriginalString, secret ?? existing?.Secret ?? WebhookSecret.Generate(),
            restart ? TopicEngine.NewEpoch() : existing!.Epoch, existing?.CreatedAt ?? now, now);
        var cursors = restart ? await StartCursorsAsync(pattern, start ?? StartPosition.Last, now, ct).ConfigureAwait(false) : null;
        var (saved, created) = await _store.WebhookSave(webhook, cursors, ct).ConfigureAwait(false);
        Changed?.Invoke(name);
        return new WebhookSaved(saved, created, ShowSecret: created || secret is not null || existing?.Secret != saved.Secret);
    }

    private async Task CheckAddressAsync(Uri uri, CancellationToken ct)
    {
        try
        {
            await _guard.ResolveAsync(uri.Host, uri.Port, ct).ConfigureAwait(false);
        }
        catch (WebhookAddressRefusedException e)
        {
            throw GantryException.Invalid("url", e.Message);
        }
    }

    /// <summary>Cursors for a fresh start: after each matching topic's newest message (last), none (first: every topic
    /// from its oldest kept message), or before the given offset.</summary>
    private async Task<IReadOnlyList<WebhookCursor>> StartCursorsAsync(TopicPattern pattern, StartPosition start, DateTimeOffset now, CancellationToken ct)
    {
        switch (start.Kind)
        {
            case StartKind.First:
                return [];
            case StartKind.Offset:
            {
                // The offset is of the topic's current history; of whichever comes first when the topic does not exist yet.
                var info = await _topics.TopicGet(pattern.Text, ct).ConfigureAwait(false);
                return [new WebhookCursor(pattern.Text, info?.Epoch ?? WebhookCursor.AnyEpoch, start.Offset - 1, now)];
            }
            default:
                if (pattern.IsExact)
                {
                    var info = await _topics.TopicGet(pattern.Text, ct).ConfigureAwait(false);
                    return info is null ? [] : [new WebhookCursor(info.Name, info.Epoch, info.LastOffset, now)];
                }
                var topics = await _topics.TopicList(ct).ConfigureAwait(false);
                return topics.Where(t => pattern.Matches(t.Name)).Select(t => new WebhookCursor(t.Name, t.Epoch, t.LastOffset, now)).ToList();
        }
    }

    public async Task<Webhook?> GetAsync(string name, CancellationToken ct) =>
        await _store.WebhookGet(WebhookRules.ValidateName(name), ct).ConfigureAwait(false);

    public Task<IReadOnlyList<Webhook>> ListAsync(CancellationToken ct) => _store.WebhookList(ct);

    /// <summary>The webhook's recent delivery jobs, newest first (<c>Gantry:Webhooks:HistoryCount</c>).</summary>
    public async Task<IReadOnlyList<Job>> HistoryAsync(string name, CancellationToken ct)
    {
        if (Options.HistoryCount == 0) return [];
        var page = await _jobs.ListAsync(new JobQuery(WebhookQueues.Of(name), null, Options.HistoryCount, null), ct).ConfigureAwait(false);
        return page.Jobs;
    }

    /// <summary>Deletes the webhook and cancels its deliveries not yet running (a running one finishes its POST and is
    /// skipped from then on: its webhook is gone).</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        WebhookRules.ValidateName(name);
        if (!await _store.WebhookDelete(name, ct).ConfigureAwait(false)) return false;
        Changed?.Invoke(name);
        foreach (var state in (JobState[])[JobState.Available, JobState.Scheduled, JobState.Failed])
        {
            var page = await _jobs.ListAsync(new JobQuery(WebhookQueues.Of(name), state, JobQuery.MaxLimit, null), ct).ConfigureAwait(false);
            foreach (var job in page.Jobs) await _jobs.CancelAsync(job.Id, ct).ConfigureAwait(false);
        }
        return true;
    }
}

/// <summary>What saving a webhook did. <paramref name="ShowSecret"/>: the secret was made or changed by this call, so its
/// answer carries it in full (reads show it masked).</summary>
public sealed record WebhookSaved(Webhook Webhook, bool Created, bool ShowSecret);
