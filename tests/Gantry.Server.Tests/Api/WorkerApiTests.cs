using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>The worker's side of the HTTP API: fetch (with long poll), heartbeat, complete, fail, release, and
/// what happens to reports that quote a lease which is no longer current.</summary>
public abstract class WorkerApiTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    [Fact]
    public async Task Fetch_leases_at_most_max_jobs_oldest_first_each_running_on_attempt_1()
    {
        var queue = Names.Queue();
        var ids = new[] { await _http.EnqueueAsync(queue), await _http.EnqueueAsync(queue), await _http.EnqueueAsync(queue) };

        var first = await _http.FetchAsync(queue, max: 2);
        Assert.Equal(ids[..2], first.Select(j => j!["id"]!.GetValue<long>()));
        foreach (var job in first)
        {
            Assert.Equal(1, job!["attempt"]!.GetValue<int>());
            Assert.Equal(queue, job["queue"]!.GetValue<string>());
            Assert.True(job["lease_expires_at"]!.GetValue<DateTimeOffset>() > job["started_at"]!.GetValue<DateTimeOffset>());
            Assert.Equal("running", await _http.StateOfAsync(job["id"]!.GetValue<long>()));
        }
        Assert.Equal(ids[2], Assert.Single(await _http.FetchAsync(queue, max: 5))!["id"]!.GetValue<long>());
        Assert.Empty(await _http.FetchAsync(queue, max: 5));
    }

    [Fact]
    public async Task Concurrent_short_polls_together_lease_every_available_job()
    {
        var queue = Names.Queue();
        var client = fixture.Server.Client;
        await client.EnqueueManyAsync(Enumerable.Range(0, 50).Select(i => client.Job(queue, i)));

        var fetched = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => _http.FetchAsync(queue, max: 5, wait: 0)));

        Assert.All(fetched, jobs => Assert.Equal(5, jobs.Count));
        Assert.Equal(50, fetched.SelectMany(jobs => jobs.Select(j => j!["id"]!.GetValue<long>())).Distinct().Count());
    }

    [Fact]
    public async Task Long_poll_fetch_returns_as_soon_as_another_request_enqueues_a_job()
    {
        var queue = Names.Queue();
        var fetch = _http.FetchAsync(queue, max: 1, wait: 60);
        Assert.False(fetch.IsCompleted, "the queue is empty, so the fetch must be waiting");

        var id = await _http.EnqueueAsync(queue, """{"late":true}""");

        // Without a wake-up the fetch would sit out its 60 s (the fallback poll is pushed out of reach); the limit
        // below is only a hang guard.
        var jobs = await fetch.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(id, Assert.Single(jobs)!["id"]!.GetValue<long>());
        Assert.Equal("""{"late":true}""", jobs[0]!["payload"]!.ToJsonString());
    }

    [Fact]
    public async Task Higher_priority_jobs_are_fetched_first()
    {
        var queue = Names.Queue();
        var low = await _http.EnqueueAsync(queue, "{}", ""","priority":-5""");
        var normal = await _http.EnqueueAsync(queue);
        var high = await _http.EnqueueAsync(queue, "{}", ""","priority":10""");

        var order = (await _http.FetchAsync(queue, max: 3)).Select(j => j!["id"]!.GetValue<long>());

        Assert.Equal([high, normal, low], order);
    }

    [Fact]
    public async Task Delayed_job_is_scheduled_then_handed_to_a_long_polling_worker_when_it_falls_due()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue, "{}", ""","delay":0.3""");
        Assert.Equal("scheduled", await _http.StateOfAsync(id));

        var (fetched, attempt) = await _http.FetchOneAsync(queue, wait: 30);

        Assert.Equal((id, 1), (fetched, attempt));
        var job = await _http.GetJobAsync(id);
        Assert.True(job["started_at"]!.GetValue<DateTimeOffset>() >= job["run_at"]!.GetValue<DateTimeOffset>(), job.ToJsonString());
    }

    [Fact]
    public async Task Heartbeat_extends_the_lease_and_answers_ok()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue, "{}", ""","timeout":30""");
        var jobs = await _http.FetchAsync(queue);
        var leasedUntil = jobs[0]!["lease_expires_at"]!.GetValue<DateTimeOffset>();

        var r = await _http.ApiPostAsync($"/api/jobs/{id}/heartbeat", """{"attempt":1}""");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal("ok", r.Json["status"]!.GetValue<string>());
        var extended = r.Json["lease_expires_at"]!.GetValue<DateTimeOffset>();
        Assert.True(extended >= leasedUntil, $"{extended:O} < {leasedUntil:O}");
        Assert.Equal(extended, (await _http.GetJobAsync(id))["lease_expires_at"]!.GetValue<DateTimeOffset>());

        var many = await _http.ApiPostAsync("/api/leases/heartbeat", $$"""{"leases":[{"id":{{id}},"attempt":1}]}""");
        Assert.Equal("ok", many.Json["results"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Complete_makes_the_job_succeeded_with_its_result()
    {
        var queue = Names.Queue();
        var json = await _http.EnqueueAsync(queue);
        var binary = await _http.EnqueueAsync(queue);
        await _http.FetchAsync(queue, max: 2);
        var bytes = new byte[] { 0, 1, 2, 0xFF, 0xFE };

        var r = await _http.ApiPostAsync($"/api/jobs/{json}/complete", """{"attempt":1,"result":{"sum": 42 }}""");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal("ok", r.Json["status"]!.GetValue<string>());
        var many = await _http.ApiPostAsync("/api/leases/complete",
            $$"""{"completions":[{"id":{{binary}},"attempt":1,"result_base64":"{{Convert.ToBase64String(bytes)}}"}]}""");
        Assert.Equal("ok", many.Json["results"]![0]!["status"]!.GetValue<string>());

        var job = await _http.GetJobAsync(json);
        Assert.Equal("succeeded", job["state"]!.GetValue<string>());
        Assert.True(job["finished"]!.GetValue<bool>());
        Assert.Equal("""{"sum": 42 }""", (await _http.ApiGetAsync($"/api/jobs/{json}")).RawField("result"));
        Assert.Equal(bytes, Convert.FromBase64String((await _http.GetJobAsync(binary))["result_base64"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Failed_attempts_are_retried_with_backoff_until_max_attempts_then_the_job_is_dead()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue, "{}", ""","max_attempts":3""");

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            // The retry comes due after the (short) backoff; the long poll waits for it.
            var (leased, leasedAttempt) = await _http.FetchOneAsync(queue, wait: 30);
            Assert.Equal((id, attempt), (leased, leasedAttempt));
            var r = await _http.ApiPostAsync($"/api/jobs/{id}/fail", $$"""{"attempt":{{attempt}},"error":"boom {{attempt}}","details":"trace"}""");
            Assert.Equal(HttpStatusCode.OK, r.Status);
            if (attempt < 3)
            {
                Assert.Equal("failed", r.Json["state"]!.GetValue<string>());
                Assert.NotNull(r.Json["run_at"]);
                var job = await _http.GetJobAsync(id);
                Assert.True(job["state"]!.GetValue<string>() is "failed" or "available", job.ToJsonString());
            }
            else
            {
                Assert.Equal("dead", r.Json["state"]!.GetValue<string>());
            }
        }

        var dead = await _http.GetJobAsync(id);
        Assert.Equal("dead", dead["state"]!.GetValue<string>());
        Assert.Equal(3, dead["attempt"]!.GetValue<int>());
        Assert.Equal(["boom 1", "boom 2", "boom 3"], dead["errors"]!.AsArray().Select(e => e!["message"]!.GetValue<string>()));
        Assert.Empty(await _http.FetchAsync(queue));
    }

    [Fact]
    public async Task Fail_with_retry_false_makes_the_job_dead_at_once()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue, "{}", ""","max_attempts":10""");
        await _http.FetchOneAsync(queue);

        var r = await _http.ApiPostAsync($"/api/jobs/{id}/fail", """{"attempt":1,"error":"bad input","retry":false}""");
        Assert.Equal("dead", r.Json["state"]!.GetValue<string>());
        var job = await _http.GetJobAsync(id);
        Assert.Equal("dead", job["state"]!.GetValue<string>());
        Assert.Equal(1, job["attempt"]!.GetValue<int>());
        Assert.Equal("bad input", job["errors"]![0]!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Release_makes_the_job_available_again_without_counting_the_attempt()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue, "{}", ""","max_attempts":1""");
        await _http.FetchOneAsync(queue);

        var r = await _http.ApiPostAsync($"/api/jobs/{id}/release", """{"attempt":1}""");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        var job = await _http.GetJobAsync(id);
        Assert.Equal("available", job["state"]!.GetValue<string>());
        Assert.Equal(0, job["attempt"]!.GetValue<int>());
        Assert.Empty(job["errors"]!.AsArray());

        // With max_attempts 1, a counted release would have left no attempt to run it.
        Assert.Equal((id, 1), await _http.FetchOneAsync(queue));
    }

    [Fact]
    public async Task Reports_quoting_a_stale_attempt_get_409_lost_and_change_nothing()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue, "{}", ""","max_attempts":5""");
        await _http.FetchOneAsync(queue);
        await _http.ApiPostAsync($"/api/jobs/{id}/fail", """{"attempt":1,"error":"first try failed"}""");
        Assert.Equal((id, 2), await _http.FetchOneAsync(queue, wait: 30));

        foreach (var verb in new[] { "heartbeat", "complete", "fail", "release" })
        {
            var r = await _http.ApiPostAsync($"/api/jobs/{id}/{verb}", verb == "fail" ? """{"attempt":1,"error":"late"}""" : """{"attempt":1}""");
            ProblemAssert.IsProblem(r, 409, "lost");
        }
        var batch = await _http.ApiPostAsync("/api/leases/complete", $$"""{"completions":[{"id":{{id}},"attempt":1}]}""");
        Assert.Equal(HttpStatusCode.OK, batch.Status);
        Assert.Equal("lost", batch.Json["results"]![0]!["status"]!.GetValue<string>());

        var job = await _http.GetJobAsync(id);
        Assert.Equal("running", job["state"]!.GetValue<string>());
        Assert.Equal(2, job["attempt"]!.GetValue<int>());
        Assert.Single(job["errors"]!.AsArray());
        Assert.Equal("ok", (await _http.ApiPostAsync($"/api/jobs/{id}/complete", """{"attempt":2}""")).Json["status"]!.GetValue<string>());
    }
}

public sealed class WorkerApiOnSqlite(SqliteServerFixture f) : WorkerApiTests(f), IClassFixture<SqliteServerFixture>;

public sealed class WorkerApiOnPostgres(PostgresServerFixture f) : WorkerApiTests(f), IClassFixture<PostgresServerFixture>;
