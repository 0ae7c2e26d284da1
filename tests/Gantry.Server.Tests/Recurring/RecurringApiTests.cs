using System.Net;
using System.Text.Json.Nodes;
using Gantry.Client;
using Gantry.Contracts;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Recurring;

/// <summary>/api/recurring over real HTTP and through the SDK, on the real clock: create, replace, list with upcoming fire
/// times, pause, resume, trigger, delete, bad input, and a schedule firing every second.</summary>
public abstract class RecurringApiTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;
    private readonly GantryClient _client = fixture.Server.Client;

    private Task<ApiResponse> PutAsync(string name, string body) => _http.SendAsync(HttpMethod.Put, $"/api/recurring/{name}", body);

    [Fact]
    public async Task Put_creates_then_replaces_and_an_unchanged_expression_keeps_the_next_fire_time()
    {
        var name = Names.Queue();
        var created = await PutAsync(name, """{"cron":"0 3 * * *","time_zone":"Europe/Berlin","queue":"reports","payload":{"kind":"nightly"},"max_attempts":3}""");

        Assert.Equal(HttpStatusCode.Created, created.Status);
        var view = created.Json;
        Assert.Equal(name, view["name"]!.GetValue<string>());
        Assert.Equal("Europe/Berlin", view["time_zone"]!.GetValue<string>());
        Assert.Equal("""{"kind":"nightly"}""", view["payload"]!.ToJsonString());
        Assert.Equal("fire_once", view["misfire"]!.GetValue<string>());
        Assert.Equal("api", view["source"]!.GetValue<string>());
        var upcoming = view["upcoming"]!.AsArray().Select(t => t!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(5, upcoming.Count);
        Assert.Equal(view["next_fire_at"]!.GetValue<DateTimeOffset>(), upcoming[0]);
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        Assert.All(upcoming, t => Assert.Equal(new TimeSpan(3, 0, 0), TimeZoneInfo.ConvertTime(t, berlin).TimeOfDay));
        Assert.True(upcoming.Zip(upcoming.Skip(1)).All(p => p.First < p.Second));

        var replaced = await PutAsync(name, """{"cron":"0 3 * * *","time_zone":"Europe/Berlin","queue":"other","misfire":"skip"}""");
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Equal("other", replaced.Json["queue"]!.GetValue<string>());
        Assert.Equal("skip", replaced.Json["misfire"]!.GetValue<string>());
        Assert.Equal(upcoming[0], replaced.Json["next_fire_at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(view["created_at"]!.GetValue<DateTimeOffset>(), replaced.Json["created_at"]!.GetValue<DateTimeOffset>());
    }

    [Theory]
    [InlineData("""{"cron":"61 * * * *","queue":"q"}""", "cron")]
    [InlineData("""{"cron":"* * *","queue":"q"}""", "cron")]
    [InlineData("""{"queue":"q"}""", "cron")]
    [InlineData("""{"cron":"* * * * *","queue":"q","time_zone":"Nowhere/Land"}""", "time_zone")]
    [InlineData("""{"cron":"* * * * *","queue":"q","misfire":"later"}""", "misfire")]
    [InlineData("""{"cron":"* * * * *","queue":"bad queue"}""", "queue")]
    [InlineData("""{"cron":"* * * * *"}""", "queue")]
    [InlineData("""{"cron":"* * * * *","queue":"q","timeout":-1}""", "timeout")]
    [InlineData("""{"cron":"* * * * *","queue":"q","payload":{},"payload_base64":"AA=="}""", "payload")]
    [InlineData("""{"cron":"* * * * *","queue":"q","every":"day"}""", "every")] // an unknown field is named itself
    public async Task Bad_schedules_get_400_naming_the_field_and_are_not_saved(string body, string field)
    {
        var name = Names.Queue();
        var r = await PutAsync(name, body);

        Assert.Equal(HttpStatusCode.BadRequest, r.Status);
        Assert.Equal("application/problem+json", r.ContentType);
        Assert.Equal(field, r.Json["field"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await _http.ApiGetAsync($"/api/recurring/{name}")).Status);
    }

    [Fact]
    public async Task A_bad_name_gets_400_and_a_missing_schedule_404_on_every_verb()
    {
        Assert.Equal("name", (await PutAsync("bad%20name", """{"cron":"* * * * *","queue":"q"}""")).Json["field"]!.GetValue<string>());
        var missing = Names.Queue();
        Assert.Equal(HttpStatusCode.NotFound, (await _http.ApiGetAsync($"/api/recurring/{missing}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.SendAsync(HttpMethod.Delete, $"/api/recurring/{missing}")).Status);
        foreach (var verb in new[] { "pause", "resume", "trigger" })
            Assert.Equal(HttpStatusCode.NotFound, (await _http.ApiPostAsync($"/api/recurring/{missing}/{verb}")).Status);
    }

    [Fact]
    public async Task Pause_resume_trigger_and_delete()
    {
        var name = Names.Queue();
        Assert.Equal(HttpStatusCode.Created, (await PutAsync(name, $$$"""{"cron":"0 0 1 1 *","queue":"{{{name}}}","payload":{"n":7}}""")).Status);

        var paused = await _http.ApiPostAsync($"/api/recurring/{name}/pause");
        Assert.True(paused.Json["paused"]!.GetValue<bool>());
        Assert.Null(paused.Json["next_fire_at"]);
        Assert.Empty(paused.Json["upcoming"]!.AsArray());

        var trigger = await _http.ApiPostAsync($"/api/recurring/{name}/trigger");
        Assert.Equal(HttpStatusCode.Created, trigger.Status);
        var jobId = trigger.Json["job_id"]!.GetValue<long>();
        var job = await _http.GetJobAsync(jobId);
        Assert.Equal(name, job["queue"]!.GetValue<string>());
        Assert.Equal("""{"n":7}""", job["payload"]!.ToJsonString());

        var resumed = await _http.ApiPostAsync($"/api/recurring/{name}/resume");
        Assert.False(resumed.Json["paused"]!.GetValue<bool>());
        Assert.Equal(jobId, resumed.Json["last_job_id"]!.GetValue<long>());
        Assert.NotNull(resumed.Json["next_fire_at"]);

        var list = await _http.ApiGetAsync("/api/recurring");
        Assert.Contains(list.Json["schedules"]!.AsArray(), s => s!["name"]!.GetValue<string>() == name);

        Assert.Equal(HttpStatusCode.NoContent, (await _http.SendAsync(HttpMethod.Delete, $"/api/recurring/{name}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.ApiGetAsync($"/api/recurring/{name}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await _http.ApiGetAsync($"/api/jobs/{jobId}")).Status); // its job stays
    }

    [Fact]
    public async Task The_sdk_saves_lists_triggers_and_deletes()
    {
        var name = Names.Queue();
        var saved = await _client.SaveRecurringAsync(name, "*/30 * * * *", name, new { Report = "hourly" }, "America/New_York",
            r => r.SkipIfRunning = true);
        Assert.Equal("America/New_York", saved.TimeZone);
        Assert.True(saved.SkipIfRunning);
        Assert.Equal("""{"report":"hourly"}""", saved.Payload!.Value.ToString());

        Assert.Contains(await _client.ListRecurringAsync(), s => s.Name == name);
        var id = await _client.TriggerRecurringAsync(name);
        Assert.Equal(id, (await _client.GetRecurringAsync(name))!.LastJobId);
        Assert.True(await _client.DeleteRecurringAsync(name));
        Assert.False(await _client.DeleteRecurringAsync(name));
        Assert.Null(await _client.GetRecurringAsync(name));
        var ex = await Assert.ThrowsAsync<GantryApiException>(() => _client.SaveRecurringAsync(name, "nope", name, 1));
        Assert.Equal("cron", ex.Field);
    }

    [Fact]
    public async Task A_schedule_with_a_seconds_field_fires_every_second_on_the_real_clock()
    {
        var name = Names.Queue();
        await _client.SaveRecurringAsync(name, "* * * * * *", name, new { Tick = true });

        await Eventually.TrueAsync(async () => (await _client.ListJobsAsync(name)).Jobs.Count >= 3, "three ticks' jobs");
        await _client.PauseRecurringAsync(name);

        // The schedule's details list its latest fires, newest first, each with its job.
        var details = (await _http.ApiGetAsync($"/api/recurring/{name}")).Json;
        var fires = details["recent_fires"]!.AsArray();
        Assert.True(fires.Count >= 3, details.ToJsonString());
        Assert.All(fires, f => Assert.Equal("fired", f!["outcome"]!.GetValue<string>()));
        var ticks = fires.Select(f => f!["tick"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.Equal(ticks.OrderDescending(), ticks);
        Assert.Equal(details["last_job_id"]!.GetValue<long>(), fires[0]!["job_id"]!.GetValue<long>());
        Assert.Null((await _http.ApiGetAsync("/api/recurring")).Json["schedules"]!.AsArray()[0]!["recent_fires"]);

        var jobs = (await _client.ListJobsAsync(name)).Jobs;
        // Each job is due at its tick: a whole second, one second apart.
        var runAts = jobs.Select(j => j.RunAt).Order().ToList();
        Assert.All(runAts, t => Assert.Equal(0, t.Millisecond));
        Assert.Equal(runAts.Count, runAts.Distinct().Count());
    }
}

public sealed class RecurringApiOnSqlite(SqliteServerFixture f) : RecurringApiTests(f), IClassFixture<SqliteServerFixture>;

public sealed class RecurringApiOnPostgres(PostgresServerFixture f) : RecurringApiTests(f), IClassFixture<PostgresServerFixture>;
