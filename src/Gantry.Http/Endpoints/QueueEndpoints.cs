using Gantry.Contracts;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gantry.Http;

/// <summary>Queues: their counts and age, pausing, and the worker's fetch (lease) call.</summary>
internal static class QueueEndpoints
{
    /// <summary>Defaults to 1 job per fetch when the worker does not say how many it wants.</summary>
    public const int DefaultFetchMax = 1;

    private static readonly GantryJsonContext Json = GantryJsonContext.Default;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/queues", List).Produces<QueueListView>()
            .WithSummary("Every queue with job counts by state and the age of its oldest available job.");
        api.MapPost("/queues/{queue}/pause", (string queue, JobEngine engine, HttpContext c) => SetPaused(queue, true, engine, c))
            .WithSummary("Stop handing out the queue's jobs; enqueueing continues.");
        api.MapPost("/queues/{queue}/resume", (string queue, JobEngine engine, HttpContext c) => SetPaused(queue, false, engine, c))
            .WithSummary("Hand out the queue's jobs again.");
        api.MapPost("/queues/{queue}/fetch", Fetch)
            .Accepts<FetchRequest>("application/json").Produces<FetchResponse>()
            .WithSummary("Lease up to 'max' jobs, waiting up to 'wait' seconds for the first one (long poll).");
    }

    private static async Task<IResult> List(JobEngine engine, TimeProvider time, HttpContext context)
    {
        var queues = await engine.ListQueuesAsync(context.RequestAborted);
        var now = time.GetUtcNow();
        return Results.Json(new QueueListView { Queues = queues.Select(q => WireMapping.ToWire(q, now)).ToList() }, Json.QueueListView);
    }

    private static async Task<IResult> SetPaused(string queue, bool paused, JobEngine engine, HttpContext context)
    {
        await engine.SetQueuePausedAsync(queue, paused, context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> Fetch(string queue, HttpRequest request, JobEngine engine)
    {
        var body = request.ContentLength is 0 ? new FetchRequest() : await request.ReadJsonAsync(Json.FetchRequest);
        var wait = RequestReading.Seconds(body.Wait, "wait") ?? TimeSpan.Zero;
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
