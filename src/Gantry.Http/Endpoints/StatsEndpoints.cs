using Gantry.Contracts;
using Gantry.Core;
using Gantry.Core.Engine;
using Gantry.Core.Queues;
using Gantry.Core.Stats;
using Gantry.Http.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gantry.Http;

/// <summary>
/// The per-queue statistics: <c>GET /api/stats</c>, <c>GET /api/stats/{queue}</c>, and <c>GET /metrics</c> in
/// Prometheus' text format. Figures come from this server's memory (<see cref="JobStats"/>); backlog and running
/// counts from the store, read once per call.
/// </summary>
internal static class StatsEndpoints
{
    /// <summary>Prometheus text exposition format 0.0.4.</summary>
    public const string MetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly GantryJsonContext Json = GantryJsonContext.Default;

    public static void Map(RouteGroupBuilder api)
    {
        var stats = api.MapGroup("").WithTags("Stats");
        stats.MapGet("/stats", All).WithOperationId("GetStats").Produces<StatsView>()
            .WithSummary("Every queue's delay and process time percentiles, jobs per minute, backlog, running jobs and " +
                         "whether it is falling behind, over the last few minutes.");
        stats.MapGet("/stats/{queue}", One).WithOperationId("GetQueueStats").Produces<QueueStatsView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("One queue's figures, as in /api/stats.");
    }

    /// <summary><c>/metrics</c>, outside <c>/api</c> where scrapers expect it; it takes the API token like <c>/api</c>.</summary>
    public static void MapMetrics(IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(ApiTokenMiddleware.MetricsPath, Metrics).WithTags("Stats").WithOperationId("GetMetrics")
            .Produces<string>(contentType: MetricsContentType).ProducesProblems(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Prometheus text format: gantry_jobs_processed_total, gantry_job_delay_seconds, gantry_job_process_seconds, " +
                         "gantry_queue_backlog, gantry_queue_running, gantry_queue_falling_behind.");

    private static async Task<IResult> All(JobEngine engine, JobStats stats, HttpContext context)
    {
        var queues = await engine.ListQueuesAsync(context.RequestAborted);
        var options = stats.Options;
        var view = new StatsView
        {
            WindowSeconds = options.Window.TotalSeconds,
            DelayWarningSeconds = options.DelayWarning.TotalSeconds,
            DelayWarningPeriodSeconds = options.DelayWarningPeriod.TotalSeconds,
            Queues = stats.Report(queues).Select(ToWire).ToList(),
        };
        return Results.Json(view, Json.StatsView);
    }

    private static async Task<IResult> One(string queue, JobEngine engine, JobStats stats, HttpContext context)
    {
        var queues = await engine.ListQueuesAsync(context.RequestAborted);
        if (stats.Report(queue, queues) is { } report) return Results.Json(ToWire(report), Json.QueueStatsView);
        QueueName.Validate(queue); // a malformed name gets its own message
        throw new GantryException(GantryErrorKind.NotFound, $"queue: there is no queue '{queue}' on this server (see /api/queues).", "queue");
    }

    private static async Task<IResult> Metrics(JobEngine engine, JobStats stats, HttpContext context)
    {
        var queues = await engine.ListQueuesAsync(context.RequestAborted);
        return Results.Text(PrometheusText.Write(stats.Totals(), stats.Report(queues)), MetricsContentType);
    }

    internal static QueueStatsView ToWire(QueueStatsReport q) => new()
    {
        Queue = q.Queue,
        Lane = q.Lane,
        Paused = q.Paused,
        CoveredSeconds = q.Covered.TotalSeconds,
        Processed = q.Processed,
        JobsPerMinute = Math.Round(q.JobsPerMinute, 3),
        Outcomes = q.Outcomes.ToDictionary(o => o.Key.ToWire(), o => o.Value),
        Delay = ToWire(q.Delay),
        Process = ToWire(q.Process),
        Backlog = q.Backlog,
        Running = q.Running,
        OldestAvailableAgeSeconds = q.OldestAvailableAge?.TotalSeconds,
        FallingBehind = q.FallingBehind,
        BehindSince = q.BehindSince,
    };

    private static DurationStatsView ToWire(DurationSummary d) => new()
    {
        Count = d.Count,
        P50Ms = d.P50?.TotalMilliseconds,
        P95Ms = d.P95?.TotalMilliseconds,
        P99Ms = d.P99?.TotalMilliseconds,
        MaxMs = d.Max?.TotalMilliseconds,
        MeanMs = d.Mean?.TotalMilliseconds,
    };
}
