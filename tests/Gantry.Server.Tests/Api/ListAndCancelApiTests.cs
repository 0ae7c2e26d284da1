using System.Net;
using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>Listing jobs (filters, paging) and cancelling them in each state, over HTTP.</summary>
public abstract class ListAndCancelApiTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    private static List<long> Ids(JsonNode page) => page["jobs"]!.AsArray().Select(j => j!["id"]!.GetValue<long>()).ToList();

    [Fact]
    public async Task List_filters_by_queue_and_by_state_newest_first()
    {
        var queue = Names.Queue();
        var other = Names.Queue();
        var a = await _http.EnqueueAsync(queue);
        var b = await _http.EnqueueAsync(queue);
        var c = await _http.EnqueueAsync(queue);
        await _http.EnqueueAsync(other);
        var (running, _) = await _http.FetchOneAsync(queue); // the oldest, a
        Assert.Equal(a, running);

        Assert.Equal([c, b, a], Ids((await _http.ApiGetAsync($"/api/jobs?queue={queue}")).Json));
        Assert.Equal([c, b], Ids((await _http.ApiGetAsync($"/api/jobs?queue={queue}&state=available")).Json));
        Assert.Equal([a], Ids((await _http.ApiGetAsync($"/api/jobs?queue={queue}&state=running")).Json));
        Assert.Empty(Ids((await _http.ApiGetAsync($"/api/jobs?queue={queue}&state=dead")).Json));
        var all = Ids((await _http.ApiGetAsync("/api/jobs?state=available&limit=500")).Json);
        Assert.Contains(b, all);
        Assert.DoesNotContain(a, all);
    }

    [Fact]
    public async Task List_pages_with_limit_and_before_until_next_is_null()
    {
        var queue = Names.Queue();
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) ids.Add(await _http.EnqueueAsync(queue, i.ToString()));
        ids.Reverse();

        var seen = new List<long>();
        var path = $"/api/jobs?queue={queue}&limit=3";
        var pages = 0;
        while (true)
        {
            var page = (await _http.ApiGetAsync(path)).Json;
            var pageIds = Ids(page);
            Assert.InRange(pageIds.Count, 1, 3);
            seen.AddRange(pageIds);
            pages++;
            if (page["next"] is not { } next) break;
            path = $"/api/jobs?queue={queue}&limit=3&before={next.GetValue<long>()}";
        }
        Assert.Equal(3, pages);
        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task Cancelling_a_waiting_job_makes_it_cancelled_and_no_worker_gets_it()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue);

        var r = await _http.ApiPostAsync($"/api/jobs/{id}/cancel");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal("cancelled", r.Json["outcome"]!.GetValue<string>());
        Assert.Equal("cancelled", r.Json["job"]!["state"]!.GetValue<string>());
        Assert.Equal("cancelled", await _http.StateOfAsync(id));
        Assert.Empty(await _http.FetchAsync(queue));
    }

    [Fact]
    public async Task Cancelling_a_scheduled_job_makes_it_cancelled()
    {
        var id = await _http.EnqueueAsync(Names.Queue(), "{}", ""","delay":3600""");
        Assert.Equal("scheduled", await _http.StateOfAsync(id));

        var r = await _http.ApiPostAsync($"/api/jobs/{id}/cancel");
        Assert.Equal("cancelled", r.Json["outcome"]!.GetValue<string>());
        Assert.Equal("cancelled", await _http.StateOfAsync(id));
    }

    [Fact]
    public async Task Cancelling_a_running_job_asks_its_worker_through_the_heartbeat_and_ends_it_cancelled()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue);
        var (_, attempt) = await _http.FetchOneAsync(queue);

        var r = await _http.ApiPostAsync($"/api/jobs/{id}/cancel");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal("cancel_requested", r.Json["outcome"]!.GetValue<string>());
        var job = await _http.GetJobAsync(id);
        Assert.Equal("running", job["state"]!.GetValue<string>());
        Assert.True(job["cancel_requested"]!.GetValue<bool>());

        var beat = await _http.ApiPostAsync($"/api/jobs/{id}/heartbeat", $$"""{"attempt":{{attempt}}}""");
        Assert.Equal(HttpStatusCode.OK, beat.Status);
        Assert.Equal("cancel_requested", beat.Json["status"]!.GetValue<string>());

        // The worker stops and says so; the job ends cancelled rather than failed or retried.
        var stop = await _http.ApiPostAsync($"/api/jobs/{id}/fail", $$"""{"attempt":{{attempt}},"error":"stopped on request","retry":false}""");
        Assert.Equal(HttpStatusCode.OK, stop.Status);
        Assert.Equal("cancelled", await _http.StateOfAsync(id));
    }

    [Fact]
    public async Task Cancelling_a_finished_job_is_409_and_changes_nothing()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue);
        var (_, attempt) = await _http.FetchOneAsync(queue);
        await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}},"result":"done"}""");

        var r = await _http.ApiPostAsync($"/api/jobs/{id}/cancel");
        Assert.Equal(HttpStatusCode.Conflict, r.Status);
        Assert.Equal("already_finished", r.Json["outcome"]!.GetValue<string>());
        var job = await _http.GetJobAsync(id);
        Assert.Equal("succeeded", job["state"]!.GetValue<string>());
        Assert.Equal("\"done\"", job["result"]!.ToJsonString());
    }

    [Fact]
    public async Task Cancelling_a_job_that_does_not_exist_is_404_problem()
    {
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs/987654321/cancel"), 404, "987654321");
    }
}

public sealed class ListAndCancelApiOnSqlite(SqliteServerFixture f) : ListAndCancelApiTests(f), IClassFixture<SqliteServerFixture>;

public sealed class ListAndCancelApiOnPostgres(PostgresServerFixture f) : ListAndCancelApiTests(f), IClassFixture<PostgresServerFixture>;
