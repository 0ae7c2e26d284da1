using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>Bad ids, queue names, query parameters, waits beyond the limit, and calls to endpoints or methods that do
/// not exist: each is a 4xx problem+json that names the problem.</summary>
public sealed class BadRequestTargetTests(SqliteSmallLimitsFixture fixture) : IClassFixture<SqliteSmallLimitsFixture>
{
    private readonly HttpClient _http = fixture.Server.Http;

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999")]
    public async Task Job_id_that_is_not_a_positive_integer_is_400_on_every_job_route(string id)
    {
        ProblemAssert.IsProblem(await _http.ApiGetAsync($"/api/jobs/{id}"), 400, "job id");
        ProblemAssert.IsProblem(await _http.ApiGetAsync($"/api/jobs/{id}/wait?timeout=0"), 400, "job id");
        ProblemAssert.IsProblem(await _http.ApiPostAsync($"/api/jobs/{id}/cancel"), 400, "job id");
        foreach (var verb in new[] { "heartbeat", "complete", "fail", "release" })
            ProblemAssert.IsProblem(await _http.ApiPostAsync($"/api/jobs/{id}/{verb}", """{"attempt":1}"""), 400, "job id");
    }

    [Theory]
    [InlineData("has space", "not a valid queue name")]
    [InlineData("semi;colon", "not a valid queue name")]
    [InlineData("ünïcode", "not a valid queue name")]
    [InlineData("", "queue name is required")]
    public async Task Bad_queue_name_in_an_enqueue_is_400_naming_the_queue_field(string queue, string mention)
    {
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":1}"""), 400, "queue", mention);
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs/batch", $$"""{"jobs":[{"queue":"{{queue}}"}]}"""), 400, "jobs[0].queue");
    }

    [Fact]
    public async Task Missing_or_overlong_queue_name_is_400()
    {
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs", """{"payload":1}"""), 400, "queue");
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{new string('q', 129)}}"}"""), 400, "128");
    }

    [Theory]
    [InlineData("bad!name")]
    [InlineData("a%20b")]
    [InlineData("x%2Fy")]
    public async Task Bad_queue_name_in_the_url_is_400(string queue)
    {
        ProblemAssert.IsProblem(await _http.ApiPostAsync($"/api/queues/{queue}/pause"), 400, "queue");
        ProblemAssert.IsProblem(await _http.ApiPostAsync($"/api/queues/{queue}/resume"), 400, "queue");
        ProblemAssert.IsProblem(await _http.ApiPostAsync($"/api/queues/{queue}/fetch", "{}"), 400, "queue");
        ProblemAssert.IsProblem(await _http.ApiGetAsync($"/api/jobs?queue={queue}"), 400, "queue");
    }

    [Theory]
    [InlineData("state=bogus", "bogus")]
    [InlineData("state=bogus", "available")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("before=-5", "before")]
    [InlineData("before=x", "before")]
    public async Task Bad_list_query_is_400_naming_the_parameter(string query, string mention)
    {
        ProblemAssert.IsProblem(await _http.ApiGetAsync($"/api/jobs?{query}"), 400, mention);
    }

    [Fact]
    public async Task Waits_beyond_MaxWait_or_not_numbers_are_400_naming_the_parameter()
    {
        var id = await _http.EnqueueAsync(Names.Queue());
        var tooLong = SmallLimits.MaxWaitSeconds + 1;
        ProblemAssert.IsProblem(await _http.ApiGetAsync($"/api/jobs/{id}/wait?timeout={tooLong}"), 400, "timeout");
        ProblemAssert.IsProblem(await _http.ApiGetAsync($"/api/jobs/{id}/wait?timeout=soon"), 400, "timeout");
        ProblemAssert.IsProblem(await _http.ApiGetAsync($"/api/jobs/{id}/wait?timeout=-1"), 400, "timeout");
        ProblemAssert.IsProblem(await _http.ApiGetAsync($"/api/jobs/{id}/wait?timeout=NaN"), 400, "timeout");
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/queues/q/fetch", $$"""{"wait":{{tooLong}}}"""), 400, "wait");
    }

    [Fact]
    public async Task Submit_and_wait_beyond_MaxWait_is_400_and_stores_no_job()
    {
        var queue = Names.Queue();
        var r = await _http.ApiPostAsync($"/api/jobs?wait={SmallLimits.MaxWaitSeconds + 1}", $$"""{"queue":"{{queue}}","payload":1}""");

        ProblemAssert.IsProblem(r, 400, "wait");
        Assert.Empty((await _http.ApiGetAsync($"/api/jobs?queue={queue}")).Json["jobs"]!.AsArray());
    }

    [Theory]
    [InlineData("GET", "/api/nothing", 404)]
    [InlineData("POST", "/api/jobs/1/explode", 404)]
    [InlineData("GET", "/api", 404)]
    [InlineData("DELETE", "/api/jobs", 405)]
    [InlineData("PUT", "/api/jobs/1", 405)]
    [InlineData("GET", "/api/queues/q/fetch", 405)]
    [InlineData("PATCH", "/api/queues", 405)]
    public async Task Unknown_endpoint_or_method_is_a_4xx_problem_naming_the_request(string method, string path, int status)
    {
        var r = await _http.SendAsync(new HttpMethod(method), path);
        ProblemAssert.IsProblem(r, status, method, path);
    }

    [Fact]
    public async Task Health_answers_200_ok_with_the_store()
    {
        var r = await _http.ApiGetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal("ok", r.Json["status"]!.GetValue<string>());
        Assert.Equal("sqlite", r.Json["store"]!.GetValue<string>());
    }
}
