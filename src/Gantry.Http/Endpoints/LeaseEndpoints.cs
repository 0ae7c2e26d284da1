using Gantry.Contracts;
using Gantry.Core;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Http.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gantry.Http;

/// <summary>
/// Jobs from the worker's side, after a fetch: heartbeat, complete, fail, release. Each exists for one job
/// (<c>/api/jobs/{id}/…</c>) and for many in one call (<c>/api/leases/…</c>), so a busy worker costs few round trips.
/// A report quoting a lease that is no longer current changes nothing and says <c>lost</c> (409 for one job).
/// </summary>
internal static class LeaseEndpoints
{
    private static readonly GantryJsonContext Json = GantryJsonContext.Default;

    public static void Map(RouteGroupBuilder api)
    {
        var workers = api.MapGroup("").WithTags("Workers");
        workers.MapPost("/leases/heartbeat", HeartbeatMany).WithOperationId("HeartbeatLeases")
            .AcceptsJson<LeasesRequest>().Produces<LeaseOutcomes>()
            .WithSummary("Extend many leases; 'cancel_requested' tells the worker to stop that job, 'lost' that it is no longer its.");
        workers.MapPost("/leases/complete", CompleteMany).WithOperationId("CompleteLeases")
            .AcceptsJson<CompleteRequest>().Produces<LeaseOutcomes>()
            .WithSummary("Record many successes with their results.");
        workers.MapPost("/leases/fail", FailMany).WithOperationId("FailLeases")
            .AcceptsJson<FailRequest>().Produces<LeaseOutcomes>()
            .WithSummary("Record many failures: retried with backoff, or dead when attempts are spent or retry is false.");
        workers.MapPost("/leases/release", ReleaseMany).WithOperationId("ReleaseLeases")
            .AcceptsJson<LeasesRequest>().Produces<LeaseOutcomes>()
            .WithSummary("Give leased jobs back unstarted: available again at once, the attempt not counted.");

        // One job: a lease that is no longer current is a 409 problem rather than a 'lost' outcome.
        workers.MapPost("/jobs/{id}/heartbeat", HeartbeatOne).WithOperationId("HeartbeatJob")
            .AcceptsJson<LeaseItem>().Produces<LeaseOutcome>().ProducesProblems(StatusCodes.Status409Conflict)
            .WithSummary("Extend one job's lease. 409: the lease is lost, stop working on the job.");
        workers.MapPost("/jobs/{id}/complete", CompleteOne).WithOperationId("CompleteJob")
            .AcceptsJson<CompletionItem>().Produces<LeaseOutcome>().ProducesProblems(StatusCodes.Status409Conflict)
            .WithSummary("Record one job's success with its result. 409: the lease is lost and the result was not kept.");
        workers.MapPost("/jobs/{id}/fail", FailOne).WithOperationId("FailJob")
            .AcceptsJson<FailureItem>().Produces<LeaseOutcome>().ProducesProblems(StatusCodes.Status409Conflict)
            .WithSummary("Record one job's failure: retried with backoff, or dead when attempts are spent or retry is false. 409: the lease is lost.");
        workers.MapPost("/jobs/{id}/release", ReleaseOne).WithOperationId("ReleaseJob")
            .AcceptsJson<LeaseItem>().Produces<LeaseOutcome>().ProducesProblems(StatusCodes.Status409Conflict)
            .WithSummary("Give one leased job back unstarted. 409: the lease is lost.");
    }

    // ---- many ---------------------------------------------------------------------------------------------

    private static async Task<IResult> HeartbeatMany(HttpRequest request, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.LeasesRequest);
        var leases = Leases(body.Leases, "leases");
        return Outcomes(await Heartbeat(engine, leases, request.HttpContext));
    }

    private static async Task<IResult> CompleteMany(HttpRequest request, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.CompleteRequest);
        var items = Required(body.Completions, "completions");
        var completions = new Completion[items.Count];
        for (var i = 0; i < completions.Length; i++) completions[i] = ToCompletion(items[i], $"completions[{i}]");
        return Outcomes(await Complete(engine, completions, request.HttpContext));
    }

    private static async Task<IResult> FailMany(HttpRequest request, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.FailRequest);
        var items = Required(body.Failures, "failures");
        var failures = new Failure[items.Count];
        for (var i = 0; i < failures.Length; i++) failures[i] = ToFailure(items[i], $"failures[{i}]");
        return Outcomes(await Fail(engine, failures, request.HttpContext));
    }

    private static async Task<IResult> ReleaseMany(HttpRequest request, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.LeasesRequest);
        var results = await engine.ReleaseAsync(Leases(body.Leases, "leases"), request.HttpContext.RequestAborted);
        return Outcomes(results.Select(ToOutcome).ToList());
    }

    // ---- one ----------------------------------------------------------------------------------------------

    private static async Task<IResult> HeartbeatOne(string id, HttpRequest request, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.LeaseItem);
        var lease = new LeaseRef(SameId(id, body.Id), Attempt(body.Attempt, "attempt"));
        return One((await Heartbeat(engine, [lease], request.HttpContext))[0]);
    }

    private static async Task<IResult> CompleteOne(string id, HttpRequest request, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.CompletionItem);
        body.Id = SameId(id, body.Id);
        return One((await Complete(engine, [ToCompletion(body, "")], request.HttpContext))[0]);
    }

    private static async Task<IResult> FailOne(string id, HttpRequest request, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.FailureItem);
        body.Id = SameId(id, body.Id);
        return One((await Fail(engine, [ToFailure(body, "")], request.HttpContext))[0]);
    }

    private static async Task<IResult> ReleaseOne(string id, HttpRequest request, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.LeaseItem);
        var lease = new LeaseRef(SameId(id, body.Id), Attempt(body.Attempt, "attempt"));
        return One(ToOutcome((await engine.ReleaseAsync([lease], request.HttpContext.RequestAborted))[0]));
    }

    // ---- shared -------------------------------------------------------------------------------------------

    private static async Task<List<LeaseOutcome>> Heartbeat(JobEngine engine, IReadOnlyList<LeaseRef> leases, HttpContext context) =>
        (await engine.HeartbeatAsync(leases, context.RequestAborted))
        .Select(r => new LeaseOutcome { Id = r.Id, Status = WireMapping.ToWire(r.Status), LeaseExpiresAt = r.LeaseExpiresAt })
        .ToList();

    private static async Task<List<LeaseOutcome>> Complete(JobEngine engine, IReadOnlyList<Completion> completions, HttpContext context)
    {
        var statuses = await engine.CompleteAsync(completions, context.RequestAborted);
        var outcomes = new List<LeaseOutcome>(statuses.Count);
        for (var i = 0; i < statuses.Count; i++)
            outcomes.Add(new LeaseOutcome { Id = completions[i].Id, Status = WireMapping.ToWire(statuses[i]), State = statuses[i] == LeaseStatus.Ok ? "succeeded" : null });
        return outcomes;
    }

    private static async Task<List<LeaseOutcome>> Fail(JobEngine engine, IReadOnlyList<Failure> failures, HttpContext context) =>
        (await engine.FailAsync(failures, context.RequestAborted)).Select(ToOutcome).ToList();

    private static LeaseOutcome ToOutcome(FailureResult r) => new()
    {
        Id = r.Id,
        Status = WireMapping.ToWire(r.Status),
        State = r.Status == LeaseStatus.Ok ? r.State.ToWire() : null,
        RunAt = r.Status == LeaseStatus.Ok && r.State == JobState.Failed ? r.RunAt : null,
    };

    private static Completion ToCompletion(CompletionItem? item, string field)
    {
        if (item is null) throw GantryException.Invalid(field, "a completion object is required.");
        var prefix = field.Length == 0 ? "" : field + ".";
        return new Completion(Id(item.Id, prefix + "id"), Attempt(item.Attempt, prefix + "attempt"),
            item.Result is null && item.ResultBase64 is null ? null : RequestReading.Bytes(item.Result, item.ResultBase64, prefix + "result"));
    }

    private static Failure ToFailure(FailureItem? item, string field)
    {
        if (item is null) throw GantryException.Invalid(field, "a failure object is required.");
        var prefix = field.Length == 0 ? "" : field + ".";
        var message = string.IsNullOrWhiteSpace(item.Error) ? "failed (the worker gave no error message)" : item.Error;
        return new Failure(Id(item.Id, prefix + "id"), Attempt(item.Attempt, prefix + "attempt"),
            item.Retry == false ? FailureKind.Discard : FailureKind.Error, message, item.Details);
    }

    private static List<LeaseRef> Leases(List<LeaseItem>? items, string field)
    {
        var list = Required(items, field);
        var leases = new List<LeaseRef>(list.Count);
        for (var i = 0; i < list.Count; i++)
        {
            var item = list[i] ?? throw GantryException.Invalid($"{field}[{i}]", "a lease object is required.");
            leases.Add(new LeaseRef(Id(item.Id, $"{field}[{i}].id"), Attempt(item.Attempt, $"{field}[{i}].attempt")));
        }
        return leases;
    }

    private static List<T> Required<T>(List<T>? items, string field) =>
        items ?? throw GantryException.Invalid(field, $"a list of {field} is required.");

    private static long Id(long id, string field) =>
        id > 0 ? id : throw GantryException.Invalid(field, "a positive job id is required.");

    private static int Attempt(int attempt, string field) =>
        attempt > 0 ? attempt : throw GantryException.Invalid(field, "the attempt the job was leased for is required (the 'attempt' of the fetched job).");

    /// <summary>The id in the URL; a body that names another id is a mistake worth reporting.</summary>
    private static long SameId(string routeId, long bodyId)
    {
        var id = RequestReading.JobId(routeId);
        if (bodyId != 0 && bodyId != id) throw GantryException.Invalid("id", $"the body names job {bodyId} but the URL names job {id}.");
        return id;
    }

    private static IResult Outcomes(List<LeaseOutcome> outcomes) => Results.Json(new LeaseOutcomes { Results = outcomes }, Json.LeaseOutcomes);

    private static IResult One(LeaseOutcome outcome)
    {
        if (outcome.Status == "lost")
            throw new GantryException(GantryErrorKind.Conflict,
                $"The lease on job {outcome.Id} is lost: the job is no longer running under that attempt (its lease expired and it was " +
                "taken back, or it already finished). Stop working on it.", "attempt");
        return Results.Json(outcome, Json.LeaseOutcome);
    }
}
