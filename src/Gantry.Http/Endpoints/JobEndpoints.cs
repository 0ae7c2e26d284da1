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
            .Produces<EnqueuedJob>(StatusCodes.Status201Created).Produces<JobView>()
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

    /// <summary>The schema of what <c>POST /api/jobs</c> answers (see <see cref="AddEnqueueAnswerSchema"/>).</summary>
    public const string EnqueueAnswerSchema = "EnqueueJobAnswer";

    /// <summary>201 and 200 answer one shape of two: the enqueued job (<see cref="EnqueuedJob"/>), or with ?wait the job
    /// itself (<see cref="JobView"/>). Generators read a oneOf without a discriminator badly (Kiota fills neither side,
    /// NSwag takes the first), so both answers are declared as one object that both shapes are: see
    /// <see cref="AddEnqueueAnswerSchema"/>.</summary>
    private static Task SubmitAndWaitAnswers(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        operation.Responses ??= new OpenApiResponses();
        operation.Responses["201"] = Answer(context.Document, "Enqueued: id, state, existing (false).");
        operation.Responses["200"] = Answer(context.Document,
            "Without ?wait: a live job already held the unique key (existing: true) and nothing was enqueued. With ?wait: the " +
            "job as GET /api/jobs/{id} shows it, finished or as it was when the wait ended (check 'finished').");
        return Task.CompletedTask;
    }

    private static OpenApiResponse Answer(OpenApiDocument? document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new() { Schema = new OpenApiSchemaReference(EnqueueAnswerSchema, document) },
        },
    };

    /// <summary>Every field of <see cref="EnqueuedJob"/> and of <see cref="JobView"/>, requiring only those both always
    /// have (id, state): each answer of <c>POST /api/jobs</c> fits it. Runs after the contracts' names are applied.</summary>
    public static Task AddEnqueueAnswerSchema(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        if (document.Components?.Schemas is not { } schemas ||
            !schemas.TryGetValue(nameof(EnqueuedJob), out var enqueued) || !schemas.TryGetValue(nameof(JobView), out var job))
            return Task.CompletedTask;
        var properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        foreach (var (name, property) in (enqueued.Properties ?? new Dictionary<string, IOpenApiSchema>()).Concat(job.Properties ?? new Dictionary<string, IOpenApiSchema>()))
            properties.TryAdd(name, property);
        schemas[EnqueueAnswerSchema] = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "What POST /api/jobs answers: the enqueued job's id, state and existing; with ?wait, the whole job " +
                          "as GET /api/jobs/{id} shows it (its other fields).",
            Properties = properties,
            Required = new HashSet<string>((enqueued.Required ?? new HashSet<string>()).Intersect(job.Required ?? new HashSet<string>())),
        };
        return Task.CompletedTask;
    }

    private static async Task<IResult> Enqueue(HttpRequest request, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.EnqueueJobRequest);
        var wait = RequestReading.QuerySeconds(request, "wait", TimeRange.Wait(engine.Options.Limits));
        var result = await engine.EnqueueAsync(WireMapping.ToDomain(body, "", engine.Options.Limits, watchFinish: wait is not null),
            request.HttpContext.RequestAborted);
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
            jobs[i] = WireMapping.ToDomain(item, $"jobs[{i}]", engine.Options.Limits);
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
        var timeout = RequestReading.QuerySeconds(request, "timeout", TimeRange.Wait(engine.Options.Limits)) ?? engine.Options.Limits.MaxWait;
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
