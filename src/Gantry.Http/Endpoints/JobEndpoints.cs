using Gantry.Contracts;
using Gantry.Core;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Http.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Gantry.Http;

/// <summary>Jobs from the caller's side: enqueue (one, a batch, or one and wait for its result), look, wait, cancel, list.</summary>
internal static class JobEndpoints
{
    private static readonly GantryJsonContext Json = GantryJsonContext.Default;

    public static void Map(RouteGroupBuilder api)
    {
        var jobs = api.MapGroup("").WithTags("Jobs");
        jobs.MapPost("/jobs", Enqueue).WithOperationId("EnqueueJob")
            .AcceptsJson<EnqueueJobRequest>()
            .Produces<EnqueuedJob>(StatusCodes.Status201Created)
            .AddOpenApiOperationTransformer(SubmitAndWaitAnswers)
            .WithQuery("wait", JsonSchemaType.Number, "Seconds to wait for the job to finish; the answer is then the job (200, check 'finished').",
                "double", 0, MaxWaitSeconds)
            .ProducesProblems(StatusCodes.Status404NotFound)
            .WithSummary("Enqueue a job. With ?wait=SECONDS, wait for it to finish and return the job (submit-and-wait).");
        jobs.MapPost("/jobs/batch", EnqueueBatch).WithOperationId("EnqueueJobs")
            .AcceptsJson<EnqueueBatchRequest>().Produces<EnqueueBatchResponse>()
            .WithSummary("Enqueue many jobs in one transaction: all are stored or none.");
        jobs.MapGet("/jobs/{id}", Get).WithOperationId("GetJob").Produces<JobView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("A job with its payload, result, error history and timings.");
        jobs.MapGet("/jobs/{id}/wait", Wait).WithOperationId("WaitForJob").Produces<JobView>()
            .WithQuery("timeout", JsonSchemaType.Number, "Seconds to wait at most (default and most: Gantry:Limits:MaxWait).", "double", 0, MaxWaitSeconds)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("Long poll: return the job once it is finished, or as it is after ?timeout=SECONDS (check 'finished').");
        jobs.MapPost("/jobs/{id}/cancel", Cancel).WithOperationId("CancelJob")
            .Produces<CancelResponse>().Produces<CancelResponse>(StatusCodes.Status409Conflict)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("Cancel a waiting job; a running job's worker is told at its next heartbeat. 409 (outcome already_finished) for a finished job.");
        jobs.MapGet("/jobs", List).WithOperationId("ListJobs").Produces<JobPageView>()
            .WithQuery("queue", JsonSchemaType.String, "Only this queue's jobs.")
            .WithQuery("state", JsonSchemaType.String, $"Only jobs in this state: one of {JobStates.WireNames}.")
            .WithQuery("limit", JsonSchemaType.Integer, $"Jobs per page (default {JobQuery.DefaultLimit}).", "int32", 1, _ => JobQuery.MaxLimit)
            .WithQuery("before", JsonSchemaType.Integer, "The previous page's 'next': jobs older than that id.", "int64", 1)
            .ProducesProblems(StatusCodes.Status400BadRequest)
            .WithSummary("Jobs newest first, filtered by ?queue= and ?state=, paged with ?limit= and ?before= (the previous page's 'next').");
    }

    private static double MaxWaitSeconds(IServiceProvider services) =>
        services.GetRequiredService<JobEngine>().Options.Limits.MaxWait.TotalSeconds;

    /// <summary>200 is the job already holding the unique key, or (with ?wait) the finished job: one of two shapes.</summary>
    private static Task SubmitAndWaitAnswers(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        // Both shapes are named schemas of the document (201 and GET /api/jobs/{id} answer them).
        var existing = new OpenApiSchemaReference(nameof(EnqueuedJob), context.Document);
        var finished = new OpenApiSchemaReference(nameof(JobView), context.Document);
        operation.Responses ??= new OpenApiResponses();
        operation.Responses["200"] = new OpenApiResponse
        {
            Description = "Without ?wait: a live job already held the unique key (existing: true) and nothing was enqueued. " +
                          "With ?wait: the job, finished or as it was when the wait ended.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = new OpenApiSchema { OneOf = [existing, finished] } },
            },
        };
        return Task.CompletedTask;
    }

    private static async Task<IResult> Enqueue(HttpRequest request, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.EnqueueJobRequest);
        var wait = RequestReading.QuerySeconds(request, "wait");
        if (wait > engine.Options.Limits.MaxWait)
            throw GantryException.Invalid("wait", $"wait must be at most {engine.Options.Limits.MaxWait.TotalSeconds:0} seconds (Gantry:Limits:MaxWait).");
        var result = await engine.EnqueueAsync(WireMapping.ToDomain(body, "", watchFinish: wait is not null), request.HttpContext.RequestAborted);
        if (wait is { } timeout)
        {
            var job = await engine.WaitAsync(result.Id, timeout, request.HttpContext.RequestAborted);
            return job is null ? throw JobNotFound(result.Id) : Results.Json(WireMapping.ToWire(job), Json.JobView);
        }
        var wire = WireMapping.ToWire(result);
        return result.Existing
            ? Results.Json(wire, Json.EnqueuedJob)
            : Results.Json(wire, Json.EnqueuedJob, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> EnqueueBatch(HttpRequest request, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.EnqueueBatchRequest);
        if (body.Jobs is null) throw GantryException.Invalid("jobs", "a list of jobs is required.");
        var jobs = new EnqueueRequest[body.Jobs.Count];
        for (var i = 0; i < jobs.Length; i++)
        {
            var item = body.Jobs[i] ?? throw GantryException.Invalid($"jobs[{i}]", "a job object is required.");
            jobs[i] = WireMapping.ToDomain(item, $"jobs[{i}]");
        }
        var results = await engine.EnqueueManyAsync(jobs, request.HttpContext.RequestAborted);
        return Results.Json(new EnqueueBatchResponse { Jobs = results.Select(WireMapping.ToWire).ToList() }, Json.EnqueueBatchResponse);
    }

    private static async Task<IResult> Get(string id, JobEngine engine, HttpContext context)
    {
        var jobId = RequestReading.JobId(id);
        var job = await engine.GetAsync(jobId, context.RequestAborted);
        return job is null ? throw JobNotFound(jobId) : Results.Json(WireMapping.ToWire(job), Json.JobView);
    }

    private static async Task<IResult> Wait(string id, HttpRequest request, JobEngine engine)
    {
        var jobId = RequestReading.JobId(id);
        var timeout = RequestReading.QuerySeconds(request, "timeout") ?? engine.Options.Limits.MaxWait;
        var job = await engine.WaitAsync(jobId, timeout, request.HttpContext.RequestAborted);
        return job is null ? throw JobNotFound(jobId) : Results.Json(WireMapping.ToWire(job), Json.JobView);
    }

    private static async Task<IResult> Cancel(string id, JobEngine engine, HttpContext context)
    {
        var jobId = RequestReading.JobId(id);
        var (outcome, job) = await engine.CancelAsync(jobId, context.RequestAborted);
        if (outcome == CancelOutcome.NotFound) throw JobNotFound(jobId);
        var response = new CancelResponse { Outcome = WireMapping.ToWire(outcome), Job = job is null ? null : WireMapping.ToWire(job) };
        return outcome == CancelOutcome.AlreadyFinished
            ? Results.Json(response, Json.CancelResponse, statusCode: StatusCodes.Status409Conflict)
            : Results.Json(response, Json.CancelResponse);
    }

    private static async Task<IResult> List(HttpRequest request, JobEngine engine)
    {
        var queue = request.Query["queue"].FirstOrDefault();
        JobState? state = null;
        if (request.Query["state"].FirstOrDefault() is { Length: > 0 } stateText)
        {
            if (!JobStates.TryParseWire(stateText, out var parsed))
                throw GantryException.Invalid("state", $"'{RequestReading.Shorten(stateText)}' is not a job state; use one of: {JobStates.WireNames}.");
            state = parsed;
        }
        var limit = RequestReading.QueryInt(request, "limit", 1, JobQuery.MaxLimit) ?? JobQuery.DefaultLimit;
        var before = RequestReading.QueryLong(request, "before");
        var page = await engine.ListAsync(new JobQuery(string.IsNullOrEmpty(queue) ? null : queue, state, limit, before), request.HttpContext.RequestAborted);
        return Results.Json(new JobPageView { Jobs = page.Jobs.Select(WireMapping.ToWire).ToList(), Next = page.Next }, Json.JobPageView);
    }

    internal static GantryException JobNotFound(long id) =>
        new(GantryErrorKind.NotFound, $"There is no job {id} (it may have been pruned after its retention period).", "id");
}
