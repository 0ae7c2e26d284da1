using System.Collections.Concurrent;
using Gantry.Core.Engine;
using Gantry.Core.Options;
using Gantry.Core.Storage;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Topics;

/// <summary>
/// The topics' front door: every front (HTTP, SSE, the SDK in-process, STOMP next) publishes and reads through these
/// operations, which validate input in the caller's terms, apply the topic's settings and wait for new messages on
/// the store's announcements rather than polling. Consumer groups are in TopicEngine.Groups.cs; live subscribers in
/// <see cref="TopicHub"/>.
/// </summary>
public sealed partial class TopicEngine
{
    private readonly TopicLog _topics;
    private readonly IGroupStore _groups;
    private readonly TopicSignals _signals;
    private readonly TimeProvider _time;
    private readonly TopicOptions _options;
    private readonly int _maxBatch;
    private readonly CancellationTokenSource _stopping = new();

    public TopicEngine(IStore store, TopicLog log, JobSignals signals, IOptions<GantryEngineOptions> options, TimeProvider time)
    {
        _topics = log;
        _groups = store.Groups;
        _signals = signals.Topics;
        _time = time;
        _options = options.Value.Topics;
        _maxBatch = options.Value.Limits.MaxBatchSize;
        WaitRange = Jobs.TimeRange.Wait(options.Value.Limits);
    }

    public TopicOptions Options => _options;

    /// <summary>The engine's clock's now (group ages are measured against it).</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    public TopicSignals Signals => _signals;

    /// <summary>The long polls a reader may ask for (up to <c>Gantry:Limits:MaxWait</c>), as job fetches take them.</summary>
    public Jobs.TimeRange WaitRange { get; }

    /// <summary>Ends every long poll now and every new one at once, so a stopping server is not held open by readers.</summary>
    public void Stop() => _stopping.Cancel();

    public bool IsStopping => _stopping.IsCancellationRequested;

    // ---- publishing -------------------------------------------------------------------------------------

    /// <summary>Publishes messages to one topic in one transaction, creating the topic on first use.</summary>
    public async Task<PublishOutcome> PublishAsync(string topic, IReadOnlyList<MessageDraft> drafts, CancellationToken ct)
    {
        TopicName.Validate(topic);
        if (drafts.Count == 0) throw GantryException.Invalid("messages", "give at least one message.");
        if (drafts.Count > _maxBatch)
            throw GantryException.TooLarge("messages", $"at most {_maxBatch} messages per call (Gantry:Limits:MaxBatchSize); got {drafts.Count}.");
        var settings = await _topics.SettingsAsync(topic, ct).ConfigureAwait(false);
        var maxBytes = settings.MaxMessageBytes ?? _options.MaxMessageBytes;
        var messages = new NewMessage[drafts.Count];
        for (var i = 0; i < drafts.Count; i++)
        {
            var d = drafts[i];
            var field = drafts.Count == 1 ? "" : $"messages[{i}].";
            if (d.Body.Length > maxBytes)
                throw GantryException.TooLarge(field + "payload", $"the message is {d.Body.Length} bytes; topic '{topic}' takes at most {maxBytes}.");
            CheckHeaders(d.Headers, field + "headers");
            if (d.ContentType is { Length: > 255 }) throw GantryException.Invalid(field + "content_type", "content types are at most 255 characters.");
            string id;
            if (d.Id is null) id = Guid.CreateVersion7().ToString("N");
            else if (d.Id.Length == 0) throw GantryException.Invalid(field + "id", "a message id must not be empty (leave it out to have one made up).");
            else if (d.Id.Length > _options.MaxMessageIdLength)
                throw GantryException.Invalid(field + "id", $"message ids are at most {_options.MaxMessageIdLength} characters (got {d.Id.Length}).");
            else id = d.Id;
            messages[i] = new NewMessage(id, d.Id is not null, d.Body, d.ContentType, d.Headers);
        }
        var now = _time.GetUtcNow();
        return await _topics.TopicAppend(topic, messages, NewEpoch(), now, now - _options.DedupWindow, ct).ConfigureAwait(false);
    }

    private void CheckHeaders(IReadOnlyDictionary<string, string>? headers, string field)
    {
        if (headers is null) return;
        if (headers.Count > _options.MaxHeaders)
            throw GantryException.TooLarge(field, $"at most {_options.MaxHeaders} headers per message (got {headers.Count}).");
        foreach (var (name, value) in headers)
        {
            if (name.Length == 0) throw GantryException.Invalid(field, "header names must not be empty.");
            if (name.Length > _options.MaxHeaderLength || (value?.Length ?? 0) > _options.MaxHeaderLength)
                throw GantryException.TooLarge(field, $"header '{Shorten(name)}': names and values are at most {_options.MaxHeaderLength} characters.");
            if (value is null) throw GantryException.Invalid(field, $"header '{Shorten(name)}' needs a string value.");
        }
    }

    /// <summary>A fresh epoch: random, so a topic deleted and created again (on any server) never repeats one.</summary>
    public static string NewEpoch() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    // ---- reading ----------------------------------------------------------------------------------------

    /// <summary>Up to <paramref name="limit"/> messages after <paramref name="after"/>, waiting up to
    /// <paramref name="wait"/> for the first when there is none yet (a long poll). A topic that does not exist reads as
    /// empty (it may be created by the next publish), with a null epoch.</summary>
    public async Task<TopicRead> ReadAsync(string topic, long after, int limit, TimeSpan wait, CancellationToken ct)
    {
        TopicName.Validate(topic);
        if (after < 0) throw GantryException.Invalid("after", "after must be 0 or a positive offset.");
        limit = CheckLimit(limit, "limit");
        var deadline = _time.GetUtcNow() + wait;
        while (true)
        {
            var published = _signals.NextPublished(topic);
            var read = await _topics.TopicRead(topic, after, limit, ct).ConfigureAwait(false)
                       ?? new TopicRead([], "", 1, 0);
            if (read.Messages.Count > 0 || read.FirstOffset > after + 1) return read;
            var left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero || IsStopping) return read;
            if (!await WaitAsync(published, left, ct).ConfigureAwait(false)) return read;
        }
    }

    /// <summary>The offset a reader starting at <paramref name="start"/> continues after.</summary>
    public async Task<long> ResolveStartAsync(string topic, StartPosition start, CancellationToken ct)
    {
        switch (start.Kind)
        {
            case StartKind.Offset:
                return start.Offset - 1;
            case StartKind.First:
                return 0;
            case StartKind.Last:
                return (await _topics.TopicGet(topic, ct).ConfigureAwait(false))?.LastOffset ?? 0;
            default:
                return await _topics.TopicOffsetBefore(topic, start.Time, ct).ConfigureAwait(false) ?? 0;
        }
    }

    public int CheckLimit(int limit, string field)
    {
        if (limit < 1 || limit > _options.MaxReadSize)
            throw GantryException.Invalid(field, $"{field} must be between 1 and {_options.MaxReadSize} (Gantry:Topics:MaxReadSize); got {limit}.");
        return limit;
    }

    /// <summary>Waits for <paramref name="signal"/> up to <paramref name="left"/>; false when the server is stopping.</summary>
    private async Task<bool> WaitAsync(Task signal, TimeSpan left, CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        try
        {
            await signal.WaitAsync(left, _time, linked.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return false;
        }
        return true;
    }

    // ---- topics -----------------------------------------------------------------------------------------

    public Task<TopicInfo?> GetAsync(string topic, CancellationToken ct) => _topics.TopicGet(TopicName.Validate(topic), ct);

    public Task<IReadOnlyList<TopicInfo>> ListAsync(CancellationToken ct) => _topics.TopicList(ct);

    /// <summary>Declares a topic with settings, or changes an existing one's.</summary>
    public async Task<TopicInfo> SaveAsync(string topic, TopicSettings settings, CancellationToken ct)
    {
        TopicName.Validate(topic);
        if (settings.RetainCount is { } count && count < 1) throw GantryException.Invalid("retain_count", "keep at least 1 message.");
        if (settings.RetainAge is { } age && (age < TimeSpan.FromSeconds(1) || age > TimeSpan.FromDays(3650)))
            throw GantryException.Invalid("retain_seconds", "retain_seconds must be between 1 and 315360000 seconds (3650 days).");
        if (settings.MaxMessageBytes is { } max && (max < 1 || max > _options.MaxMessageBytes))
            throw GantryException.Invalid("max_message_bytes",
                $"max_message_bytes must be between 1 and {_options.MaxMessageBytes} (Gantry:Topics:MaxMessageBytes); got {max}.");
        return await _topics.TopicSave(topic, settings, NewEpoch(), _time.GetUtcNow(), ct).ConfigureAwait(false);
    }

    public Task<bool> DeleteAsync(string topic, CancellationToken ct) => _topics.TopicDelete(TopicName.Validate(topic), ct);

    /// <summary>One retention pass over every topic, in batches; returns how many messages went.</summary>
    public async Task<int> PruneAsync(int batchSize, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var pruned = 0;
        foreach (var topic in await _topics.TopicList(ct).ConfigureAwait(false))
        {
            var keep = topic.Settings.RetainCount ?? _options.RetainCount;
            var age = topic.Settings.RetainAge ?? _options.RetainAge;
            var through = topic.LastOffset - keep;
            var before = now - age;
            while (!ct.IsCancellationRequested)
            {
                var n = await _topics.TopicPrune(topic.Name, through, before, batchSize, ct).ConfigureAwait(false);
                pruned += n;
                if (n < batchSize) break;
            }
        }
        _signals.ForgetIdle();
        return pruned;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
