using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Gantry.Core.Storage;
using Gantry.Core.Topics;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Webhooks;

/// <summary>
/// Runs one delivery job: reads the message from its topic, signs it and POSTs it, then completes the job (2xx) or fails
/// it, so the job engine retries it with its backoff and, after the job's last attempt, marks it dead. The cursor moves
/// before the job is reported: a crash in between re-runs the job, which finds the cursor past it and skips the POST.
/// A crash between the POST and the cursor repeats the POST (at-least-once).
/// </summary>
public sealed class WebhookDelivery
{
    /// <summary>The content type of a message published without one whose body is not JSON.</summary>
    public const string BinaryContentType = "application/octet-stream";

    private readonly IWebhookStore _store;
    private readonly ITopicStore _topics;
    private readonly JobEngine _jobs;
    private readonly IWebhookSender _sender;
    private readonly TimeProvider _time;
    private readonly WebhookOptions _options;

    public WebhookDelivery(IStore store, TopicLog topics, JobEngine jobs, IWebhookSender sender, IOptions<GantryEngineOptions> options, TimeProvider time)
    {
        _store = store.Webhooks;
        _topics = topics; // memory topics too: the log routes by lane
        _jobs = jobs;
        _sender = sender;
        _time = time;
        _options = options.Value.Webhooks;
    }

    /// <summary>The lease a delivery job is enqueued with: the POST's timeout and <c>Gantry:Webhooks:LeaseMargin</c>.</summary>
    public TimeSpan Lease => _options.Timeout + _options.LeaseMargin;

    public async Task RunAsync(LeasedJob job, CancellationToken ct)
    {
        if (WebhookDeliveryJob.TryParse(job.Payload) is not { } d)
        {
            await FailAsync(job, FailureKind.Discard, "not a webhook delivery job (its payload names no webhook, epoch, topic and offset)", null, ct).ConfigureAwait(false);
            return;
        }
        var webhook = await _store.WebhookGet(d.Webhook, ct).ConfigureAwait(false);
        if (webhook is null || webhook.Epoch != d.Epoch)
        {
            await CompleteAsync(job, Result(null, "the webhook was deleted or restarted"), ct).ConfigureAwait(false);
            return;
        }
        if (d.Offset <= webhook.CursorOf(d.Topic, d.TopicEpoch))
        {
            await CompleteAsync(job, Result(null, "already delivered"), ct).ConfigureAwait(false);
            return;
        }
        var read = await _topics.TopicRead(d.Topic, d.Offset - 1, 1, ct).ConfigureAwait(false);
        if (read is not null && read.Epoch != d.TopicEpoch)
        {
            // The job's message belonged to a history of the topic that is gone (deleted and created again, or a memory
            // topic's server restarted): the offset now names another message. The cursor is left alone; the dispatcher
            // goes on from the new history's beginning.
            await CompleteAsync(job, Result(null, "the topic was deleted and created again"), ct).ConfigureAwait(false);
            return;
        }
        if (read is null || read.Messages.Count == 0 || read.Messages[0].Offset != d.Offset)
        {
            await _store.WebhookAdvance(d.Webhook, d.Epoch, d.Topic, d.TopicEpoch, d.Offset, _time.GetUtcNow(), ct).ConfigureAwait(false);
            await CompleteAsync(job, Result(null, "the message is no longer kept (retention)"), ct).ConfigureAwait(false);
            return;
        }

        var message = read.Messages[0];
        var id = $"{message.Topic}:{read.Epoch}:{message.Offset}";
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var key = WebhookSecret.Key(webhook.Secret);
        var headers = new List<KeyValuePair<string, string>>
        {
            new("webhook-id", id),
            new("webhook-timestamp", timestamp.ToString(CultureInfo.InvariantCulture)),
            new("webhook-signature", WebhookSignature.Sign(key, id, timestamp, message.Body.Span)),
            new("gantry-webhook", webhook.Name),
            new("gantry-topic", message.Topic),
            new("gantry-offset", message.Offset.ToString(CultureInfo.InvariantCulture)),
            new("gantry-message-id", message.Id),
            new("gantry-attempt", job.Attempt.ToString(CultureInfo.InvariantCulture)),
        };
        var contentType = message.ContentType ?? (IsJson(message.Body) ? "application/json" : BinaryContentType);
        var response = await _sender.PostAsync(new Uri(webhook.Url), headers, message.Body, contentType, _options.Timeout, ct).ConfigureAwait(false);
        if (response.Succeeded)
        {
            await _store.WebhookAdvance(d.Webhook, d.Epoch, d.Topic, d.TopicEpoch, d.Offset, _time.GetUtcNow(), ct).ConfigureAwait(false);
            await CompleteAsync(job, Result(response.StatusCode, null), ct).ConfigureAwait(false);
            return;
        }
        // The last attempt's failure makes the job dead: the cursor moves first, so the next message follows it.
        if (job.Attempt >= job.MaxAttempts)
            await _store.WebhookAdvance(d.Webhook, d.Epoch, d.Topic, d.TopicEpoch, d.Offset, _time.GetUtcNow(), ct).ConfigureAwait(false);
        var error = response.StatusCode is { } code ? $"the receiver answered {code}" : response.Error ?? "no answer";
        await FailAsync(job, FailureKind.Error, error, Details(response), ct).ConfigureAwait(false);
    }

    private async Task CompleteAsync(LeasedJob job, byte[] result, CancellationToken ct) =>
        await _jobs.CompleteAsync([new Completion(job.Id, job.Attempt, result)], ct).ConfigureAwait(false);

    private async Task FailAsync(LeasedJob job, FailureKind kind, string message, string? details, CancellationToken ct) =>
        await _jobs.FailAsync([new Failure(job.Id, job.Attempt, kind, message, details)], ct).ConfigureAwait(false);

    /// <summary>A finished delivery's result: the receiver's status code, or why no POST was needed.</summary>
    private static byte[] Result(int? statusCode, string? skipped)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (statusCode is { } code) w.WriteNumber("status_code", code);
            if (skipped is not null) w.WriteString("skipped", skipped);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A failed attempt's details, as JSON the API reads back for the delivery history: the status code (when the
    /// receiver answered) and the start of its answer.</summary>
    private string Details(WebhookResponse response)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (response.StatusCode is { } code) w.WriteNumber("status_code", code);
            if (response.Body is { Length: > 0 } body)
                w.WriteString("body", body.Length <= _options.MaxErrorBodyBytes ? body : body[.._options.MaxErrorBodyBytes]);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The status code a delivery attempt recorded: in a completed job's result or a failed attempt's details.</summary>
    public static int? StatusCodeOf(string? json)
    {
        if (string.IsNullOrEmpty(json)) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("status_code", out var s)
                   && s.TryGetInt32(out var code) ? code : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsJson(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty) return false;
        var reader = new Utf8JsonReader(body.Span);
        try
        {
            reader.Read();
            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
