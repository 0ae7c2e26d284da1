using Gantry.Contracts;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Http.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;

namespace Gantry.Http;

/// <summary>Queues: their counts and age, pausing, and the worker's fetch (lease) call.</summary>
internal static class QueueEndpoints
{
    /// <summary>Defaults to 1 job per fetch when the worker does not say how many it wants.</summary>
    public const int DefaultFetchMax = 1;

    private static readonly GantryJsonContext Json = GantryJsonContext.Default;

    public static void Map(RouteGroupBuilder api)
    {
        var queues = api.MapGroup("").WithTags("Queues");
        queues.MapGet("/queues", List).WithOperationId("ListQueues").Produces<QueueListView>()
            .WithSummary("Every queue with job counts by state and the age of its oldest available job.");
        queues.MapGet("/queues/{queue}", Get).WithOperationId("GetQueue").Produces<QueueView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("One queue: its lane, pause, counts by state.");
        queues.MapPut("/queues/{queue}", Put).WithOperationId("SetQueue").AcceptsJson<QueueSettingsRequest>().Produces<QueueView>()
            .ProducesProblems(StatusCodes.Status409Conflict)
            .WithSummary("Set a queue's lane ('memory' or 'durable') and pause; creates the queue. A lane change is refused (409) " +
                         "while the other lane still holds unfinished jobs of the queue.");
        queues.MapPost("/queues/{queue}/pause", (string queue, HttpRequest r, JobEngine engine) => SetPaused(queue, true, r, engine))
            .WithOperationId("PauseQueue").Produces(StatusCodes.Status204NoContent).WithCreateQuery()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("Stop handing out the queue's jobs; enqueueing continues. 404 for a queue nobody used unless ?create=true.");
        queues.MapPost("/queues/{queue}/resume", (string queue, HttpRequest r, JobEngine engine) => SetPaused(queue, false, r, engine))
            .WithOperationId("ResumeQueue").Produces(StatusCodes.Status204NoContent).WithCreateQuery()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("Hand out the queue's jobs again. 404 for a queue nobody used unless ?create=true.");
        api.MapPost("/queues/{queue}/fetch", Fetch).WithTags("Workers").WithOperationId("FetchJobs")
            .AcceptsJson<FetchRequest>(optional: true).Produces<FetchResponse>()
            .WithSummary("Lease up to 'max' jobs (default 1), waiting up to 'wait' seconds for the first one (long poll). Quote each " +
                         "job's id and attempt in every report on it.");
    }

    private static RouteHandlerBuilder WithCreateQuery(this RouteHandlerBuilder builder) =>
        builder.WithQuery("create", JsonSchemaType.Boolean, "true: create the queue if nobody has used it yet.");

    private static async Task<IResult> List(JobEngine engine, TimeProvider time, HttpContext context)
    {
        var queues = await engine.ListQueuesAsync(context.RequestAborted);
        var now = time.GetUtcNow();
        return Results.Json(new QueueListView { Queues = queues.Select(q => WireMapping.ToWire(q, now)).ToList() }, Json.QueueListView);
    }

    private static async Task<IResult> Get(string queue, JobEngine engine, TimeProvider time, HttpContext context)
    {
        var q = await engine.GetQueueAsync(queue, context.RequestAborted) ?? throw NoQueue(queue);
        return Results.Json(WireMapping.ToWire(q, time.GetUtcNow()), Json.QueueView);
    }

    private static async Task<IResult> Put(string queue, HttpRequest request, JobEngine engine, TimeProvider time)
    {
        var body = await request.ReadJsonAsync(Json.QueueSettingsRequest);
        if (body.Lane is { } lane) await engine.SetQueueLaneAsync(queue, lane, request.HttpContext.RequestAborted);
        if (body.Paused is { } paused) await engine.SetQueuePausedAsync(queue, paused, request.HttpContext.RequestAborted);
        if (body.Lane is null && body.Paused is null) await engine.SetQueuePausedAsync(queue, engine.Settings.IsPaused(queue), request.HttpContext.RequestAborted);
        var q = await engine.GetQueueAsync(queue, request.HttpContext.RequestAborted) ?? throw NoQueue(queue);
        return Results.Json(WireMapping.ToWire(q, time.GetUtcNow()), Json.QueueView);
    }

    private static Core.GantryException NoQueue(string queue) =>
        new(Core.GantryErrorKind.NotFound, $"queue: there is no queue '{queue}' (see GET /api/queues).", "queue");

    private static async Task<IResult> SetPaused(string queue, bool paused, HttpRequest request, JobEngine engine)
    {
        var create = request.Query["create"].FirstOrDefault() is { } c && (c == "true" || c == "1");
        await engine.SetQueuePausedAsync(queue, paused, request.HttpContext.RequestAborted, create);
        return Results.NoContent();
    }

    private static async Task<IResult> Fetch(string queue, HttpRequest request, JobEngine engine)
    {
        var body = request.ContentLength is 0 ? new FetchRequest() : await request.ReadJsonAsync(Json.FetchRequest);
        var wait = TimeRange.Wait(engine.Options.Limits).FromSeconds(body.Wait, "wait") ?? TimeSpan.Zero;
        var jobs = await engine.FetchAsync(queue, body.Max ?? DefaultFetchMax, wait, request.HttpContext.RequestAborted);
        if (jobs.Count > 0 && request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The worker hung up (a drain cancels its long poll) just as jobs were leased for it: give them back now,
            // rather than leaving them to wait out their lease.
            await engine.ReleaseAsync(jobs.Select(j => new LeaseRef(j.Id, j.Attempt)).ToList(), CancellationToken.None);
            return Results.Empty;
        }
        var response = new FetchResponse { Jobs = new List<LeasedJobView>(jobs.Count) };
        foreach (var job in jobs) response.Jobs.Add(WireMapping.ToWire(job));
        return Results.Json(response, Json.FetchResponse);
    }
}
