using System.Net;
using Gantry.Client;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Server.Tests.Sdk;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>
/// A queue set to the memory lane over HTTP and the SDK end to end: enqueue, fetch, complete, fail and retry, wait for
/// the result, list it with its lane; and the rules around lanes (a change that would strand jobs, a batch that spans
/// both lanes).
/// </summary>
public abstract class MemoryLaneApiTests(ServerFixture fixture)
{
    /// <summary>Memory-lane job ids are above 2^52.</summary>
    private const long FirstMemoryId = 1L << 52;

    private readonly HttpClient _http = fixture.Server.Http;
    private readonly GantryClient _client = fixture.Server.Client;

    private async Task<string> MemoryQueueAsync()
    {
        var queue = Names.Queue();
        var set = await _http.SendAsync(HttpMethod.Put, $"/api/queues/{queue}", """{"lane":"memory"}""");
        Assert.True(set.Status == HttpStatusCode.OK, set.ToString());
        Assert.Equal("memory", set.Json["lane"]!.GetValue<string>());
        return queue;
    }

    [Fact]
    public async Task A_memory_queue_takes_jobs_over_http_hands_them_to_workers_and_keeps_their_results()
    {
        var queue = await MemoryQueueAsync();
        var id = await _http.EnqueueAsync(queue, """{"n":1}""");
        Assert.True(id >= FirstMemoryId, $"id {id} is not a memory-lane id");
        Assert.Equal("available", await _http.StateOfAsync(id));

        var listed = (await _http.ApiGetAsync($"/api/queues/{queue}")).Json;
        Assert.Equal("memory", listed["lane"]!.GetValue<string>());
        Assert.Equal(1, listed["counts"]!["available"]!.GetValue<long>());

        var (leased, attempt) = await _http.FetchOneAsync(queue, wait: 5);
        Assert.Equal(id, leased);
        var beat = await _http.ApiPostAsync($"/api/jobs/{id}/heartbeat", $$"""{"attempt":{{attempt}}}""");
        Assert.Equal("ok", beat.Json["status"]!.GetValue<string>());
        var done = await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$$"""{"attempt":{{{attempt}}},"result":{"ok":true}}""");
        Assert.True(done.Status == HttpStatusCode.OK, done.ToString());

        var job = await _http.GetJobAsync(id);
        Assert.Equal("succeeded", job["state"]!.GetValue<string>());
        Assert.True(job["result"]!["ok"]!.GetValue<bool>());
        Assert.NotNull(job["process_ms"]);
    }

    [Fact]
    public async Task A_failed_memory_job_is_retried_with_the_queues_backoff_then_dead_with_its_error_history()
    {
        var queue = await MemoryQueueAsync();
        var id = await _http.EnqueueAsync(queue, "{}", ""","max_attempts":2""");

        var (_, first) = await _http.FetchOneAsync(queue, wait: 5);
        var failed = await _http.ApiPostAsync($"/api/jobs/{id}/fail", $$"""{"attempt":{{first}},"error":"first try"}""");
        Assert.Equal("failed", failed.Json["state"]!.GetValue<string>());
        Assert.NotNull(failed.Json["run_at"]);

        var (again, second) = await _http.FetchOneAsync(queue, wait: 10); // the retry comes back after its backoff
        Assert.Equal((id, 2), (again, second));
        await _http.ApiPostAsync($"/api/jobs/{id}/fail", $$"""{"attempt":{{second}},"error":"second try"}""");

        var job = await _http.GetJobAsync(id);
        Assert.Equal("dead", job["state"]!.GetValue<string>());
        Assert.Equal(["first try", "second try"], job["errors"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Submit_and_wait_and_an_sdk_worker_serve_a_memory_queue()
    {
        var queue = await MemoryQueueAsync();
        await using var worker = await WorkerHost.StartAsync(fixture.Server.BaseAddress, w => w.AddHandler<AddHandler>(queue), [new HandlerProbe()]);

        var sum = await _client.RunAsync<Numbers, Sum>(queue, new Numbers(20, 22), TimeSpan.FromSeconds(30));
        Assert.Equal(42, sum!.Total);

        var waited = await _http.ApiPostAsync("/api/jobs?wait=30", $$$"""{"queue":"{{{queue}}}","payload":{"a":1,"b":2}}""");
        Assert.Equal("succeeded", waited.Json["state"]!.GetValue<string>());
        Assert.Equal(3, waited.Json["result"]!["total"]!.GetValue<int>());
        Assert.True(waited.Json["id"]!.GetValue<long>() >= FirstMemoryId);
    }

    [Fact]
    public async Task Unique_keys_hold_in_the_memory_lane_and_the_job_list_shows_its_jobs()
    {
        var queue = await MemoryQueueAsync();
        var first = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":1,"unique_key":"once"}""");
        var second = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":2,"unique_key":"once"}""");
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.True(second.Json["existing"]!.GetValue<bool>());
        Assert.Equal(first.Json["id"]!.GetValue<long>(), second.Json["id"]!.GetValue<long>());

        var page = (await _http.ApiGetAsync($"/api/jobs?queue={queue}")).Json;
        Assert.Equal([first.Json["id"]!.GetValue<long>()], page["jobs"]!.AsArray().Select(j => j!["id"]!.GetValue<long>()));
    }

    [Fact]
    public async Task A_lane_change_that_would_strand_unfinished_jobs_is_refused_and_allowed_once_they_are_done()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue); // durable: nobody set a lane
        Assert.True(id < FirstMemoryId);

        var refused = await _http.SendAsync(HttpMethod.Put, $"/api/queues/{queue}", """{"lane":"memory"}""");
        ProblemAssert.IsProblem(refused, 409, "1 unfinished", "durable");

        var (_, attempt) = await _http.FetchOneAsync(queue, wait: 5);
        await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}}}""");
        var view = await _client.SetQueueAsync(queue, lane: "memory");
        Assert.Equal("memory", view.Lane);
        Assert.True(await _http.EnqueueAsync(queue) >= FirstMemoryId);
        Assert.Equal("succeeded", await _http.StateOfAsync(id)); // the durable job's record is still there to read
    }

    [Fact]
    public async Task A_batch_that_spans_both_lanes_is_refused_naming_the_job()
    {
        var memory = await MemoryQueueAsync();
        var durable = Names.Queue();
        var r = await _http.ApiPostAsync("/api/jobs/batch", $$"""{"jobs":[{"queue":"{{memory}}","payload":1},{"queue":"{{durable}}","payload":2}]}""");
        ProblemAssert.IsProblem(r, 400, "jobs[1].queue", "both lanes");
    }

    [Fact]
    public async Task Bad_queue_settings_get_clear_errors()
    {
        var queue = Names.Queue();
        ProblemAssert.IsProblem(await _http.SendAsync(HttpMethod.Put, $"/api/queues/{queue}", """{"lane":"fast"}"""), 400, "lane", "memory", "durable");
        ProblemAssert.IsProblem(await _http.SendAsync(HttpMethod.Put, $"/api/queues/{queue}", """{"lanes":"memory"}"""), 400, "lanes");
        ProblemAssert.IsProblem(await _http.ApiGetAsync($"/api/queues/{queue}"), 404, queue);
    }

    [Fact]
    public async Task Pausing_a_queue_nobody_used_is_refused_unless_asked_to_create_it()
    {
        var typo = Names.Queue();
        ProblemAssert.IsProblem(await _http.ApiPostAsync($"/api/queues/{typo}/pause"), 404, typo, "create");
        Assert.Equal(HttpStatusCode.NoContent, (await _http.ApiPostAsync($"/api/queues/{typo}/pause?create=true")).Status);
        Assert.True((await _http.ApiGetAsync($"/api/queues/{typo}")).Json["paused"]!.GetValue<bool>());
    }
}

public sealed class MemoryLaneApiOnSqlite(SqliteServerFixture f) : MemoryLaneApiTests(f), IClassFixture<SqliteServerFixture>;

public sealed class MemoryLaneApiOnPostgres(PostgresServerFixture f) : MemoryLaneApiTests(f), IClassFixture<PostgresServerFixture>;
