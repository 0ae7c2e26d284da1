using Gantry.Contracts;
using Gantry.Core;
using Gantry.Core.Jobs;
using Gantry.Core.Topics;
using Gantry.Http.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;

namespace Gantry.Http;

/// <summary>Topics over plain HTTP: publish (one message or a batch), short and long polling from an offset, and the
/// topic admin (list, get, settings, delete).</summary>
internal static class TopicEndpoints
{
    /// <summary>Defaults to 100 messages per poll when the reader does not say how many it wants.</summary>
    public const int DefaultPollLimit = 100;

    private static readonly GantryJsonContext Json = GantryJsonContext.Default;

    public static void Map(RouteGroupBuilder api)
    {
        var topics = api.MapGroup("").WithTags("Topics");
        topics.MapPost("/topics/{topic}/messages", Publish).WithOperationId("Publish").AcceptsJson<PublishRequest>()
            .Produces<PublishedMessage>().Produces<PublishBatchResponse>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge)
            .WithSummary("Publish one message ('payload' or 'payload_base64', optional 'id', 'headers', 'content_type') or a batch " +
                         "('messages'), creating the topic on first use. Returns each message's offset; a repeated id within the " +
                         "dedup window is stored once and answered with the first offset and duplicate: true.");
        topics.MapGet("/topics/{topic}/messages", Poll).WithOperationId("ReadMessages").Produces<MessagePage>()
            .WithQuery("after", JsonSchemaType.Integer, "Return messages after this offset (default 0: from the oldest kept).")
            .WithQuery("limit", JsonSchemaType.Integer, $"At most this many (default {DefaultPollLimit}).")
            .WithQuery("wait", JsonSchemaType.Number, "Seconds to wait for the first message when there is none yet (long poll).")
            .ProducesProblems(StatusCodes.Status400BadRequest)
            .WithSummary("Short or long poll: messages after an offset. Pass 'next' as the next call's 'after'. 'truncated' says " +
                         "retention pruned messages the reader had not read.");
        topics.MapGet("/topics", List).WithOperationId("ListTopics").Produces<TopicListView>()
            .WithSummary("Every topic with its offsets, message count, settings and live subscribers.");
        topics.MapGet("/topics/{topic}", Get).WithOperationId("GetTopic").Produces<TopicView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound).WithSummary("One topic.");
        topics.MapGet("/topics/{topic}/subscribers", Subscribers).WithOperationId("ListSubscribers").Produces<SubscriberListView>()
            .ProducesProblems(StatusCodes.Status400BadRequest)
            .WithSummary("Presence: the live subscribers of a topic on this server (transport, client, subscription, since), " +
                         "oldest first. Subscribers by a pattern that matches the topic are included.");
        topics.MapPut("/topics/{topic}", Put).WithOperationId("SetTopic").AcceptsJson<TopicSettingsRequest>().Produces<TopicView>()
            .ProducesProblems(StatusCodes.Status400BadRequest)
            .WithSummary("Declare a topic or change its retention ('retain_count', 'retain_seconds'), 'max_message_bytes' and 'lane' " +
                         "(durable, or memory: this server's memory, fastest, lost on restart; left out, the topic keeps its lane).");
        topics.MapDelete("/topics/{topic}", Delete).WithOperationId("DeleteTopic").Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("Delete a topic with its messages and consumer groups. Published to again, it starts a new epoch.");
    }

    private static async Task<IResult> Publish(string topic, HttpRequest request, TopicEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.PublishRequest);
        if (body.Messages is { } batch)
        {
            if (body.Payload is not null || body.PayloadBase64 is not null || body.Id is not null || body.Headers is not null || body.ContentType is not null)
                throw GantryException.Invalid("messages", "give either one message's fields or 'messages', not both.");
            var drafts = new List<MessageDraft>(batch.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                if (batch[i] is not { } item) throw GantryException.Invalid($"messages[{i}]", "each message is a JSON object.");
                if (item.Messages is not null) throw GantryException.Invalid($"messages[{i}].messages", "batches do not nest.");
                drafts.Add(Draft(item, $"messages[{i}].payload"));
            }
            var outcome = await engine.PublishAsync(topic, drafts, request.HttpContext.RequestAborted);
            return Results.Json(new PublishBatchResponse
            {
                Epoch = outcome.Epoch,
                Messages = outcome.Results.Select(r => new PublishedMessage { Offset = r.Offset, Duplicate = r.Duplicate }).ToList(),
            }, Json.PublishBatchResponse);
        }
        var one = await engine.PublishAsync(topic, [Draft(body, "payload")], request.HttpContext.RequestAborted);
        var result = one.Results[0];
        return Results.Json(new PublishedMessage { Offset = result.Offset, Duplicate = result.Duplicate, Epoch = one.Epoch }, Json.PublishedMessage);
    }

    private static MessageDraft Draft(PublishRequest m, string field)
    {
        if (m.Payload is null && m.PayloadBase64 is null) throw GantryException.Invalid(field, "give 'payload' (any JSON value) or 'payload_base64'.");
        var bytes = RequestReading.Bytes(m.Payload, m.PayloadBase64, field);
        return new MessageDraft(bytes, m.Id, m.ContentType ?? (m.Payload is not null ? "application/json" : null), m.Headers);
    }

    private static async Task<IResult> Poll(string topic, HttpRequest request, TopicEngine engine)
    {
        var after = RequestReading.QueryLong(request, "after", allowZero: true) ?? 0;
        var limit = RequestReading.QueryInt(request, "limit", 1, engine.Options.MaxReadSize) ?? DefaultPollLimit;
        var wait = RequestReading.QuerySeconds(request, "wait", engine.WaitRange) ?? TimeSpan.Zero;
        var read = await engine.ReadAsync(topic, after, Math.Min(limit, engine.Options.MaxReadSize), wait, request.HttpContext.RequestAborted);
        var page = new MessagePage
        {
            Epoch = read.Epoch.Length == 0 ? null : read.Epoch,
            FirstOffset = read.FirstOffset,
            LastOffset = read.LastOffset,
            Truncated = read.FirstOffset > after + 1 && read.LastOffset >= read.FirstOffset,
            Messages = new List<MessageView>(read.Messages.Count),
        };
        foreach (var m in read.Messages) page.Messages.Add(ToWire(m, withTopic: false));
        page.Next = read.Messages.Count > 0 ? read.Messages[^1].Offset : page.Truncated ? read.FirstOffset - 1 : after;
        return Results.Json(page, Json.MessagePage);
    }

    public static MessageView ToWire(TopicMessage m, bool withTopic)
    {
        var (json, base64) = Payloads.ToWire(m.Body);
        return new MessageView
        {
            Offset = m.Offset, Id = m.Id, Payload = json, PayloadBase64 = base64, ContentType = m.ContentType,
            Headers = m.Headers is null ? null : new Dictionary<string, string>(m.Headers), PublishedAt = m.PublishedAt,
            Topic = withTopic ? m.Topic : null,
        };
    }

    private static async Task<TopicView> ToWireAsync(TopicInfo t, TopicEngine engine, TopicHub hub, CancellationToken ct)
    {
        // Memory topics have no groups (they are refused there): no store read for them.
        var groups = t.Settings.Lane == TopicLane.Memory ? [] : await engine.ListGroupsAsync(t.Name, ct);
        var now = engine.Now;
        return new TopicView
        {
            Name = t.Name, Epoch = t.Epoch, FirstOffset = t.FirstOffset, LastOffset = t.LastOffset, MessageCount = t.MessageCount,
            RetainCount = t.Settings.RetainCount, RetainSeconds = t.Settings.RetainAge?.TotalSeconds, MaxMessageBytes = t.Settings.MaxMessageBytes,
            Lane = TopicLanes.Wire(t.Settings.Lane), Subscribers = hub.CountFor(t.Name), CreatedAt = t.CreatedAt,
            Groups = groups.Select(g => GroupEndpoints.ToWire(g, now)).ToList(),
        };
    }

    private static async Task<IResult> List(TopicEngine engine, TopicHub hub, HttpContext context)
    {
        var topics = await engine.ListAsync(context.RequestAborted);
        var views = new List<TopicView>(topics.Count);
        foreach (var t in topics) views.Add(await ToWireAsync(t, engine, hub, context.RequestAborted));
        return Results.Json(new TopicListView { Topics = views }, Json.TopicListView);
    }

    private static async Task<IResult> Get(string topic, TopicEngine engine, TopicHub hub, HttpContext context)
    {
        var t = await engine.GetAsync(topic, context.RequestAborted) ?? throw NoTopic(topic);
        return Results.Json(await ToWireAsync(t, engine, hub, context.RequestAborted), Json.TopicView);
    }

    private static IResult Subscribers(string topic, TopicHub hub)
    {
        TopicName.Validate(topic);
        return Results.Json(new SubscriberListView
        {
            Subscribers = hub.Presence(topic).Select(s => new SubscriberView
            {
                Transport = s.Transport, Client = s.Client, Subscription = s.Pattern, Since = s.Since,
            }).ToList(),
        }, Json.SubscriberListView);
    }

    private static async Task<IResult> Put(string topic, HttpRequest request, TopicEngine engine, TopicHub hub)
    {
        var body = await request.ReadJsonAsync(Json.TopicSettingsRequest);
        var age = body.RetainSeconds is { } s
            ? new TimeRange(TimeSpan.FromSeconds(1), TimeSpan.FromDays(3650)).FromSeconds(s, "retain_seconds")
            : null;
        var lane = body.Lane is { } l ? TopicLanes.FromUser(l)
            : (await engine.GetAsync(topic, request.HttpContext.RequestAborted))?.Settings.Lane ?? TopicLane.Durable;
        var t = await engine.SaveAsync(topic, new TopicSettings(body.RetainCount, age, body.MaxMessageBytes, lane), request.HttpContext.RequestAborted);
        return Results.Json(await ToWireAsync(t, engine, hub, request.HttpContext.RequestAborted), Json.TopicView);
    }

    private static async Task<IResult> Delete(string topic, TopicEngine engine, HttpContext context) =>
        await engine.DeleteAsync(topic, context.RequestAborted) ? Results.NoContent() : throw NoTopic(topic);

    private static GantryException NoTopic(string topic) =>
        new(GantryErrorKind.NotFound, $"topic: there is no topic '{topic}' (see GET /api/topics).", "topic");
}
