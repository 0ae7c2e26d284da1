using System.Net;
using Gantry.Contracts;

namespace Gantry.Client;

public sealed partial class GantryClient
{
    /// <summary>Creates or replaces the recurring schedule <paramref name="name"/>: every tick of <paramref name="cron"/>
    /// (in <paramref name="timeZone"/>, UTC if null) enqueues <paramref name="payload"/> (as JSON) on <paramref name="queue"/>.</summary>
    /// <param name="name">The schedule's name (letters, digits and _ . : -).</param>
    /// <param name="cron">Five fields (crontab), six or seven (seconds first), or a macro such as <c>@daily</c>.</param>
    /// <param name="queue">Where each tick's job goes.</param>
    /// <param name="payload">Each tick's job's payload.</param>
    /// <param name="timeZone">An IANA time zone id.</param>
    /// <param name="configure">Sets the remaining fields (misfire policy, skip-if-running, job options) on the request.</param>
    /// <param name="ct">Cancels the call.</param>
    public Task<RecurringScheduleView> SaveRecurringAsync<TPayload>(string name, string cron, string queue, TPayload payload,
        string? timeZone = null, Action<RecurringScheduleRequest>? configure = null, CancellationToken ct = default)
    {
        var (json, base64) = Payloads.ToWire(Json(payload));
        var request = new RecurringScheduleRequest { Cron = cron, Queue = queue, TimeZone = timeZone, Payload = json, PayloadBase64 = base64 };
        configure?.Invoke(request);
        return SaveRecurringAsync(name, request, ct);
    }

    /// <summary>Creates or replaces a schedule from a full request.</summary>
    public Task<RecurringScheduleView> SaveRecurringAsync(string name, RecurringScheduleRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, RecurringPath(name), request, Wire.RecurringScheduleRequest, Wire.RecurringScheduleView, TimeSpan.Zero, ct);

    /// <summary>Every schedule by name, with next fire times.</summary>
    public async Task<IReadOnlyList<RecurringScheduleView>> ListRecurringAsync(CancellationToken ct = default) =>
        (await SendAsync<object, RecurringScheduleListView>(HttpMethod.Get, "api/recurring", null, null, Wire.RecurringScheduleListView,
            TimeSpan.Zero, ct).ConfigureAwait(false)).Schedules;

    /// <summary>One schedule, or null if there is none by that name.</summary>
    public async Task<RecurringScheduleView?> GetRecurringAsync(string name, CancellationToken ct = default)
    {
        try
        {
            return await SendAsync<object, RecurringScheduleView>(HttpMethod.Get, RecurringPath(name), null, null, Wire.RecurringScheduleView,
                TimeSpan.Zero, ct).ConfigureAwait(false);
        }
        catch (GantryApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Deletes a schedule; false if there was none. Jobs it already enqueued stay.</summary>
    public async Task<bool> DeleteRecurringAsync(string name, CancellationToken ct = default)
    {
        try
        {
            await SendAsync<object, object>(HttpMethod.Delete, RecurringPath(name), null, null, null, TimeSpan.Zero, ct).ConfigureAwait(false);
            return true;
        }
        catch (GantryApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>Stops firing; ticks while paused are not made up.</summary>
    public Task<RecurringScheduleView> PauseRecurringAsync(string name, CancellationToken ct = default) =>
        SendAsync<object, RecurringScheduleView>(HttpMethod.Post, RecurringPath(name) + "/pause", null, null, Wire.RecurringScheduleView, TimeSpan.Zero, ct);

    /// <summary>Fires again from the next tick after now.</summary>
    public Task<RecurringScheduleView> ResumeRecurringAsync(string name, CancellationToken ct = default) =>
        SendAsync<object, RecurringScheduleView>(HttpMethod.Post, RecurringPath(name) + "/resume", null, null, Wire.RecurringScheduleView, TimeSpan.Zero, ct);

    /// <summary>Enqueues the schedule's job now, outside its ticks; returns the job's id.</summary>
    public async Task<long> TriggerRecurringAsync(string name, CancellationToken ct = default) =>
        (await SendAsync<object, RecurringTriggerResponse>(HttpMethod.Post, RecurringPath(name) + "/trigger", null, null,
            Wire.RecurringTriggerResponse, TimeSpan.Zero, ct).ConfigureAwait(false)).JobId;

    private static string RecurringPath(string name) => $"api/recurring/{Uri.EscapeDataString(name)}";
}
