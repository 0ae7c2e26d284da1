using Gantry.Contracts;
using Gantry.Core;
using Gantry.Core.Engine;
using Gantry.Core.Recurring;
using Gantry.Http.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gantry.Http;

/// <summary>Recurring (cron) schedules: create or replace, list with next fire times, look, pause, resume, trigger, delete.</summary>
internal static class RecurringEndpoints
{
    private static readonly GantryJsonContext Json = GantryJsonContext.Default;

    public static void Map(RouteGroupBuilder api)
    {
        var recurring = api.MapGroup("").WithTags("Recurring");
        recurring.MapGet("/recurring", List).WithOperationId("ListRecurring").Produces<RecurringScheduleListView>()
            .WithSummary("Every recurring schedule by name, with its next fire times.");
        recurring.MapPut("/recurring/{name}", Save).WithOperationId("SaveRecurring")
            .AcceptsJson<RecurringScheduleRequest>()
            .Produces<RecurringScheduleView>(StatusCodes.Status201Created).Produces<RecurringScheduleView>()
            .WithSummary("Create (201) or replace (200) a schedule. An unchanged cron and time zone keep the next fire time.");
        recurring.MapGet("/recurring/{name}", Get).WithOperationId("GetRecurring").Produces<RecurringScheduleView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("One schedule with its next fire times and its latest fires.");
        recurring.MapDelete("/recurring/{name}", Delete).WithOperationId("DeleteRecurring").Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("Delete a schedule (jobs it already enqueued stay).");
        recurring.MapPost("/recurring/{name}/pause", (string name, RecurringSchedules s, HttpContext c) => SetPaused(name, true, s, c))
            .WithOperationId("PauseRecurring").Produces<RecurringScheduleView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("Stop firing; ticks while paused are not made up.");
        recurring.MapPost("/recurring/{name}/resume", (string name, RecurringSchedules s, HttpContext c) => SetPaused(name, false, s, c))
            .WithOperationId("ResumeRecurring").Produces<RecurringScheduleView>()
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("Fire again from the next tick after now.");
        recurring.MapPost("/recurring/{name}/trigger", Trigger).WithOperationId("TriggerRecurring")
            .Produces<RecurringTriggerResponse>(StatusCodes.Status201Created)
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound)
            .WithSummary("Enqueue the schedule's job now, outside its ticks.");
    }

    private static async Task<IResult> List(RecurringSchedules schedules, HttpContext context)
    {
        var list = await schedules.ListAsync(context.RequestAborted);
        return Results.Json(new RecurringScheduleListView { Schedules = list.Select(s => WireMapping.ToWire(s, schedules.Upcoming(s))).ToList() }, Json.RecurringScheduleListView);
    }

    private static async Task<IResult> Save(string name, HttpRequest request, RecurringSchedules schedules, JobEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.RecurringScheduleRequest);
        var (schedule, created) = await schedules.SaveAsync(WireMapping.ToDomain(body, name, engine.Options.Limits), RecurringSource.Api,
            request.HttpContext.RequestAborted);
        return Results.Json(WireMapping.ToWire(schedule, schedules.Upcoming(schedule)), Json.RecurringScheduleView,
            statusCode: created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> Get(string name, RecurringSchedules schedules, HttpContext context)
    {
        var schedule = await schedules.GetAsync(name, context.RequestAborted) ?? throw NotFound(name);
        var fires = await schedules.RecentFiresAsync(name, context.RequestAborted);
        return Results.Json(WireMapping.ToWire(schedule, schedules.Upcoming(schedule), fires), Json.RecurringScheduleView);
    }

    private static async Task<IResult> Delete(string name, RecurringSchedules schedules, HttpContext context) =>
        await schedules.DeleteAsync(name, context.RequestAborted) ? Results.NoContent() : throw NotFound(name);

    private static async Task<IResult> SetPaused(string name, bool paused, RecurringSchedules schedules, HttpContext context)
    {
        var schedule = await schedules.SetPausedAsync(name, paused, context.RequestAborted);
        return Results.Json(WireMapping.ToWire(schedule, schedules.Upcoming(schedule)), Json.RecurringScheduleView);
    }

    private static async Task<IResult> Trigger(string name, RecurringSchedules schedules, HttpContext context)
    {
        var id = await schedules.TriggerAsync(name, context.RequestAborted);
        return Results.Json(new RecurringTriggerResponse { JobId = id }, Json.RecurringTriggerResponse, statusCode: StatusCodes.Status201Created);
    }

    private static GantryException NotFound(string name) =>
        new(GantryErrorKind.NotFound, $"There is no recurring schedule named '{RequestReading.Shorten(name)}'.", "name");
}
