using System.Net;
using Gantry.Client.Topics;
using Gantry.Contracts;

namespace Gantry.Client;

public sealed partial class GantryClient
{
    // ---- publish ------------------------------------------------------------------------------------------

    /// <summary>Publishes <paramref name="payload"/> (serialized as JSON) to <paramref name="topic"/>, creating the topic
    /// on first use. Every live subscriber gets a copy; the answer carries the message's offset.</summary>
    public Task<PublishedMessage> PublishAsync<T>(string topic, T payload, PublishOptions? options = null, CancellationToken ct = default) =>
        PublishAsync(topic, Message(payload, options), ct);

    /// <summary>Publishes raw bytes; they travel as JSON if they are JSON, otherwise as base64.</summary>
    public Task<PublishedMessage> PublishBytesAsync(string topic, ReadOnlyMemory<byte> body, PublishOptions? options = null, CancellationToken ct = default) =>
        PublishAsync(topic, MessageOf(body, options), ct);

    public Task<PublishedMessage> PublishAsync(string topic, PublishRequest message, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, TopicPath(topic, "messages"), message, Wire.PublishRequest, Wire.PublishedMessage, TimeSpan.Zero, ct);

    /// <summary>Publishes every message in one call and one store transaction; the answer lists each one's offset in order.</summary>
    public async Task<IReadOnlyList<PublishedMessage>> PublishManyAsync(string topic, IEnumerable<PublishRequest> messages, CancellationToken ct = default)
    {
        var response = await SendAsync(HttpMethod.Post, TopicPath(topic, "messages"), new PublishRequest { Messages = messages.ToList() },
            Wire.PublishRequest, Wire.PublishBatchResponse, TimeSpan.Zero, ct).ConfigureAwait(false);
        return response.Messages;
    }

    /// <summary>Builds a message for <see cref="PublishManyAsync"/> with a JSON payload.</summary>
    public PublishRequest Message<T>(T payload, PublishOptions? options = null) =>
        MessageOf(Json(payload), options, options?.ContentType ?? "application/json");

    private static PublishRequest MessageOf(ReadOnlyMemory<byte> body, PublishOptions? options, string? contentType = null)
    {
        var (json, base64) = Payloads.ToWire(body);
        return new PublishRequest
        {
            Payload = json,
            // An empty body has neither form; the server needs one of the two fields.
            PayloadBase64 = json is null && base64 is null ? "" : base64,
            Id = options?.Id,
            ContentType = contentType ?? options?.ContentType,
            Headers = options?.Headers is { } h ? new Dictionary<string, string>(h) : null,
        };
    }

    // ---- read ---------------------------------------------------------------------------------------------

    /// <summary>Short or long poll: up to <paramref name="limit"/> messages after offset <paramref name="after"/>, waiting
    /// up to <paramref name="wait"/> for the first when there is none yet. Pass the page's <c>Next</c> as the next
    /// call's <paramref name="after"/>.</summary>
    public Task<MessagePage> ReadMessagesAsync(string topic, long after = 0, int? limit = null, TimeSpan? wait = null, CancellationToken ct = default)
    {
        var path = $"{TopicPath(topic, "messages")}?after={after}" + (limit is { } l ? $"&limit={l}" : "") + (wait is { } w ? $"&wait={Seconds(w)}" : "");
        return SendAsync<object, MessagePage>(HttpMethod.Get, path, null, null, Wire.MessagePage, wait ?? TimeSpan.Zero, ct);
    }

    /// <summary>
    /// Every message of <paramref name="topic"/> (or of a pattern such as <c>orders.*</c> or <c>orders.#</c>) as it is
    /// published, over Server-Sent Events. A dropped connection is re-opened by itself and resumes after the last
    /// offset received, so the sequence has no gap and no repeat; what the server says on the way (history pruned,
    /// history lost, reconnecting) goes to <see cref="SubscribeOptions.OnNotice"/>. Ends only when
    /// <paramref name="ct"/> fires; a refusal that retrying cannot cure (a bad topic name, a bad token) throws.
    /// </summary>
    public IAsyncEnumerable<TopicEvent> SubscribeAsync(string topic, SubscribeOptions? options = null, CancellationToken ct = default) =>
        new TopicSubscription(this, _http, topic, options ?? new SubscribeOptions()).ReadAsync(ct);

    // ---- topic admin --------------------------------------------------------------------------------------

    public async Task<IReadOnlyList<TopicView>> ListTopicsAsync(CancellationToken ct = default) =>
        (await SendAsync<object, TopicListView>(HttpMethod.Get, "api/topics", null, null, Wire.TopicListView, TimeSpan.Zero, ct).ConfigureAwait(false)).Topics;

    /// <summary>The topic, or null if nobody has published to it (or declared it) yet.</summary>
    public async Task<TopicView?> GetTopicAsync(string topic, CancellationToken ct = default)
    {
        try
        {
            return await SendAsync<object, TopicView>(HttpMethod.Get, TopicPath(topic), null, null, Wire.TopicView, TimeSpan.Zero, ct).ConfigureAwait(false);
        }
        catch (GantryApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    // ---- consumer groups ----------------------------------------------------------------------------------

    /// <summary>Declares <paramref name="group"/> (starting at <paramref name="from"/>: <c>first</c>, <c>last</c>, an offset
    /// or a time) or changes its policy; an existing group keeps its cursor.</summary>
    public Task<GroupView> SetGroupAsync(string topic, string group, string? from = null, TimeSpan? ackTimeout = null, int? maxDeliveries = null,
        CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, GroupPath(topic, group),
            new GroupSettingsRequest { From = from, AckTimeout = ackTimeout?.TotalSeconds, MaxDeliveries = maxDeliveries },
            Wire.GroupSettingsRequest, Wire.GroupView, TimeSpan.Zero, ct);

    /// <summary>Leases up to <paramref name="max"/> messages of the group to <paramref name="member"/>, waiting up to
    /// <paramref name="wait"/> for the first.</summary>
    public async Task<IReadOnlyList<GroupMessageView>> FetchGroupAsync(string topic, string group, string? member, int max, TimeSpan wait,
        CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Post, GroupPath(topic, group, "fetch"), new GroupFetchRequest { Max = max, Wait = wait.TotalSeconds, Member = member },
            Wire.GroupFetchRequest, Wire.GroupFetchResponse, wait, ct).ConfigureAwait(false)).Messages;

    public async Task<IReadOnlyList<DeliveryOutcomeView>> AckAsync(string topic, string group, IEnumerable<string> deliveryIds, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Post, GroupPath(topic, group, "ack"), new DeliveriesRequest { DeliveryIds = deliveryIds.ToList() },
            Wire.DeliveriesRequest, Wire.DeliveryOutcomes, TimeSpan.Zero, ct).ConfigureAwait(false)).Results;

    /// <summary>Gives deliveries back: delivered again at once, or after <paramref name="delay"/>.</summary>
    public async Task<IReadOnlyList<DeliveryOutcomeView>> NackAsync(string topic, string group, IEnumerable<string> deliveryIds, TimeSpan? delay = null,
        CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Post, GroupPath(topic, group, "nack"), new DeliveriesRequest { DeliveryIds = deliveryIds.ToList(), Delay = delay?.TotalSeconds },
            Wire.DeliveriesRequest, Wire.DeliveryOutcomes, TimeSpan.Zero, ct).ConfigureAwait(false)).Results;

    public Task<GroupView> GetGroupAsync(string topic, string group, CancellationToken ct = default) =>
        SendAsync<object, GroupView>(HttpMethod.Get, GroupPath(topic, group), null, null, Wire.GroupView, TimeSpan.Zero, ct);

    internal static string TopicPath(string topic, string? rest = null) =>
        $"api/topics/{Uri.EscapeDataString(topic)}" + (rest is null ? "" : "/" + rest);

    private static string GroupPath(string topic, string group, string? rest = null) =>
        TopicPath(topic, $"groups/{Uri.EscapeDataString(group)}" + (rest is null ? "" : "/" + rest));

    internal static Task<GantryApiException> Problem(HttpResponseMessage response, CancellationToken ct) => ProblemAsync(response, ct);
}
