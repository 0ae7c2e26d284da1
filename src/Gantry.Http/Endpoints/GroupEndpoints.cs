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

/// <summary>Consumer groups over HTTP: members fetch (long poll), ack and nack; operators read lag, list and replay dead
/// letters, and reset a group to replay from an offset or a time.</summary>
internal static class GroupEndpoints
{
    /// <summary>Defaults to 1 message per fetch when the member does not say how many it wants, as job fetches.</summary>
    public const int DefaultFetchMax = 1;

    private static readonly GantryJsonContext Json = GantryJsonContext.Default;

    public static void Map(RouteGroupBuilder api)
    {
        var groups = api.MapGroup("/topics/{topic}/groups").WithTags("Consumer groups");
        groups.MapPost("/{group}/fetch", Fetch).WithOperationId("GroupFetch").AcceptsJson<GroupFetchRequest>(optional: true)
            .Produces<GroupFetchResponse>().ProducesProblems(StatusCodes.Status400BadRequest)
            .WithSummary("Lease up to 'max' messages (default 1) to 'member', waiting up to 'wait' seconds for the first. A group that " +
                         "does not exist yet starts at the newest message. Each message goes to one member; ack or nack it by delivery_id.");
        groups.MapPost("/{group}/ack", Ack).WithOperationId("GroupAck").AcceptsJson<DeliveriesRequest>().Produces<DeliveryOutcomes>()
            .ProducesProblems(StatusCodes.Status400BadRequest).WithSummary("Commit deliveries.");
        groups.MapPost("/{group}/nack", Nack).WithOperationId("GroupNack").AcceptsJson<DeliveriesRequest>().Produces<DeliveryOutcomes>()
            .ProducesProblems(StatusCodes.Status400BadRequest)
            .WithSummary("Give deliveries back: delivered again at once, or after 'delay' seconds; the group's last allowed delivery goes to dead letters.");
        groups.MapGet("", List).WithOperationId("ListGroups").Produces<GroupListView>().WithSummary("The topic's groups with their lag.");
        groups.MapGet("/{group}", Get).WithOperationId("GetGroup").Produces<GroupView>()
            .ProducesProblems(StatusCodes.Status404NotFound).WithSummary("A group's position, lag, deliveries in flight and dead letters.");
        groups.MapPut("/{group}", Put).WithOperationId("SetGroup").AcceptsJson<GroupSettingsRequest>(optional: true).Produces<GroupView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("Declare a group before its first fetch ('from': first, last, an offset or a time; default last) or change its " +
                         "'ack_timeout' (seconds) and 'max_deliveries'. Left-out fields keep their values; an existing group keeps its cursor " +
                         "(declaring it again is safe; move it with reset).");
        groups.MapPost("/{group}/reset", Reset).WithOperationId("ResetGroup").AcceptsJson<GroupResetRequest>().Produces<GroupView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("Move the group to 'from' (first, last, an offset or a time) to replay or skip; deliveries in flight are dropped.");
        groups.MapDelete("/{group}", Delete).WithOperationId("DeleteGroup").Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Delete a group with its deliveries and dead letters.");
        groups.MapGet("/{group}/dead", Dead).WithOperationId("ListDeadLetters").Produces<DeadLetterList>()
            .WithQuery("after", JsonSchemaType.Integer, "Dead letters after this offset.")
            .WithQuery("limit", JsonSchemaType.Integer, "At most this many (default 100).")
            .WithSummary("Messages the group gave up on, with their delivery counts.");
        groups.MapPost("/{group}/dead/replay", Replay).WithOperationId("ReplayDeadLetters").AcceptsJson<ReplayRequest>(optional: true)
            .Produces<ReplayResponse>().WithSummary("Deliver dead letters again (those at 'offsets', or all).");
    }

    private static async Task<IResult> Fetch(string topic, string group, HttpRequest request, TopicEngine engine)
    {
        var body = request.ContentLength is 0 ? new GroupFetchRequest() : await request.ReadJsonAsync(Json.GroupFetchRequest);
        var wait = engine.WaitRange.FromSeconds(body.Wait, "wait") ?? TimeSpan.Zero;
        var deliveries = await engine.FetchAsync(topic, group, body.Member, body.Max ?? DefaultFetchMax, wait, request.HttpContext.RequestAborted);
        var response = new GroupFetchResponse { Messages = new List<GroupMessageView>(deliveries.Count) };
        foreach (var d in deliveries)
        {
            var m = d.Message;
            var (json, base64) = Payloads.ToWire(m.Body);
            response.Messages.Add(new GroupMessageView
            {
                DeliveryId = d.Ref.ToString(), Offset = m.Offset, Attempt = d.Attempt, Id = m.Id, Payload = json, PayloadBase64 = base64,
                ContentType = m.ContentType, Headers = m.Headers is null ? null : new Dictionary<string, string>(m.Headers),
                PublishedAt = m.PublishedAt, LeaseExpiresAt = d.LeaseExpiresAt,
            });
        }
        return Results.Json(response, Json.GroupFetchResponse);
    }

    private static List<DeliveryRef> Refs(DeliveriesRequest body)
    {
        if (body.DeliveryIds is not { } ids) throw GantryException.Invalid("delivery_ids", "give the delivery ids to settle.");
        var refs = new List<DeliveryRef>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
            refs.Add(DeliveryRef.TryParse(ids[i], out var r) ? r
                : throw GantryException.Invalid($"delivery_ids[{i}]", $"'{RequestReading.Shorten(ids[i] ?? "null")}' is not a delivery id (offset:attempt, as fetch returned it)."));
        return refs;
    }

    private static DeliveryOutcomes Outcomes(IReadOnlyList<DeliveryRef> refs, IReadOnlyList<DeliveryOutcome> outcomes, string done) => new()
    {
        Results = refs.Select((r, i) => new DeliveryOutcomeView
        {
            DeliveryId = r.ToString(),
            Outcome = outcomes[i] switch { DeliveryOutcome.Done => done, DeliveryOutcome.DeadLettered => "dead", _ => "lost" },
        }).ToList(),
    };

    private static async Task<IResult> Ack(string topic, string group, HttpRequest request, TopicEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.DeliveriesRequest);
        if (body.Delay is not null) throw GantryException.Invalid("delay", "an ack takes no delay (nack does).");
        var refs = Refs(body);
        var outcomes = await engine.AckAsync(topic, group, refs, request.HttpContext.RequestAborted);
        return Results.Json(Outcomes(refs, outcomes, "acked"), Json.DeliveryOutcomes);
    }

    private static async Task<IResult> Nack(string topic, string group, HttpRequest request, TopicEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.DeliveriesRequest);
        var refs = Refs(body);
        var delay = new TimeRange(TimeSpan.Zero, TopicEngine.MaxNackDelay).FromSeconds(body.Delay, "delay") ?? TimeSpan.Zero;
        var outcomes = await engine.NackAsync(topic, group, refs, delay, request.HttpContext.RequestAborted);
        return Results.Json(Outcomes(refs, outcomes, "nacked"), Json.DeliveryOutcomes);
    }

    internal static GroupView ToWire(GroupInfo g, DateTimeOffset now) => new()
    {
        Topic = g.Topic, Name = g.Name, Committed = g.Committed, Delivered = g.Delivered, LastOffset = g.LastOffset, Lag = g.Lag,
        InFlight = g.InFlight, Waiting = g.Waiting, Dead = g.Dead,
        OldestUnackedAgeSeconds = g.OldestUnackedAt is { } t ? Math.Max(0, (now - t).TotalSeconds) : null,
        AckTimeout = g.Policy.AckTimeout.TotalSeconds, MaxDeliveries = g.Policy.MaxDeliveries, CreatedAt = g.CreatedAt,
    };

    private static async Task<IResult> List(string topic, TopicEngine engine, TimeProvider time, HttpContext context)
    {
        var groups = await engine.ListGroupsAsync(topic, context.RequestAborted);
        var now = time.GetUtcNow();
        return Results.Json(new GroupListView { Groups = groups.Select(g => ToWire(g, now)).ToList() }, Json.GroupListView);
    }

    private static async Task<IResult> Get(string topic, string group, TopicEngine engine, TimeProvider time, HttpContext context)
    {
        var g = await engine.GetGroupAsync(topic, group, context.RequestAborted) ?? throw NoGroup(topic, group);
        return Results.Json(ToWire(g, time.GetUtcNow()), Json.GroupView);
    }

    private static async Task<IResult> Put(string topic, string group, HttpRequest request, TopicEngine engine, TimeProvider time)
    {
        var body = request.ContentLength is 0 ? new GroupSettingsRequest() : await request.ReadJsonAsync(Json.GroupSettingsRequest);
        var ackTimeout = TopicEngine.AckTimeoutRange.FromSeconds(body.AckTimeout, "ack_timeout");
        var start = body.From is { } from ? StartPosition.Parse(from, "from") : (StartPosition?)null;
        var g = await engine.SaveGroupAsync(topic, group, ackTimeout, body.MaxDeliveries, start, request.HttpContext.RequestAborted)
                ?? throw new GantryException(GantryErrorKind.NotFound,
                    $"topic: there is no topic '{topic}' yet; publish to it or declare it with PUT /api/topics/{topic} first.", "topic");
        return Results.Json(ToWire(g, time.GetUtcNow()), Json.GroupView);
    }

    private static async Task<IResult> Reset(string topic, string group, HttpRequest request, TopicEngine engine, TimeProvider time)
    {
        var body = await request.ReadJsonAsync(Json.GroupResetRequest);
        if (body.From is not { } from) throw GantryException.Invalid("from", "say where the group continues: first, last, an offset or a time.");
        if (!await engine.ResetGroupAsync(topic, group, StartPosition.Parse(from, "from"), request.HttpContext.RequestAborted))
            throw new GantryException(GantryErrorKind.NotFound, $"topic: there is no topic '{topic}' (see GET /api/topics).", "topic");
        var g = await engine.GetGroupAsync(topic, group, request.HttpContext.RequestAborted) ?? throw NoGroup(topic, group);
        return Results.Json(ToWire(g, time.GetUtcNow()), Json.GroupView);
    }

    private static async Task<IResult> Delete(string topic, string group, TopicEngine engine, HttpContext context) =>
        await engine.DeleteGroupAsync(topic, group, context.RequestAborted) ? Results.NoContent() : throw NoGroup(topic, group);

    private static async Task<IResult> Dead(string topic, string group, HttpRequest request, TopicEngine engine)
    {
        var after = RequestReading.QueryLong(request, "after", allowZero: true) ?? 0;
        var limit = RequestReading.QueryInt(request, "limit", 1, engine.Options.MaxReadSize) ?? TopicEndpoints.DefaultPollLimit;
        var dead = await engine.ListDeadAsync(topic, group, after, limit, request.HttpContext.RequestAborted);
        return Results.Json(new DeadLetterList
        {
            Messages = dead.Select(d => new DeadLetterView
            {
                Offset = d.Message.Offset, Attempts = d.Attempts, DeadAt = d.DeadAt, Message = TopicEndpoints.ToWire(d.Message, withTopic: false),
            }).ToList(),
        }, Json.DeadLetterList);
    }

    private static async Task<IResult> Replay(string topic, string group, HttpRequest request, TopicEngine engine)
    {
        var body = request.ContentLength is 0 ? new ReplayRequest() : await request.ReadJsonAsync(Json.ReplayRequest);
        var n = await engine.ReplayDeadAsync(topic, group, body.Offsets, request.HttpContext.RequestAborted);
        return Results.Json(new ReplayResponse { Replayed = n }, Json.ReplayResponse);
    }

    private static GantryException NoGroup(string topic, string group) =>
        new(GantryErrorKind.NotFound, $"group: topic '{topic}' has no group '{group}' (see GET /api/topics/{topic}/groups).", "group");
}
