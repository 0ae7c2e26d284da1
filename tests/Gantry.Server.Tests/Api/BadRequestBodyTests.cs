using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>Malformed, mistyped and oversized request bodies: each gets a 4xx problem+json whose detail says what is
/// wrong, never a 5xx. (Checked once, on SQLite: reading a body happens before any store is involved.)</summary>
public sealed class BadRequestBodyTests(SqliteSmallLimitsFixture fixture) : IClassFixture<SqliteSmallLimitsFixture>
{
    private readonly HttpClient _http = fixture.Server.Http;

    public static TheoryData<string> PostEndpoints =>
    [
        "/api/jobs", "/api/jobs?wait=1", "/api/jobs/batch", "/api/queues/q/fetch",
        "/api/leases/heartbeat", "/api/leases/complete", "/api/leases/fail", "/api/leases/release",
        "/api/jobs/1/heartbeat", "/api/jobs/1/complete", "/api/jobs/1/fail", "/api/jobs/1/release",
    ];

    [Theory, MemberData(nameof(PostEndpoints))]
    public async Task Invalid_json_is_400_saying_the_json_is_not_valid(string path)
    {
        // Broken before its first field is complete: a body like {"queue": "q", would be refused first for its
        // unknown field on the endpoints that take no queue (the body is read as a stream; the first fault is reported).
        ProblemAssert.IsProblem(await _http.ApiPostAsync(path, """{"queue"""), 400, "JSON");
    }

    [Theory, MemberData(nameof(PostEndpoints))]
    public async Task Unknown_field_is_400_naming_the_field(string path)
    {
        ProblemAssert.IsProblem(await _http.ApiPostAsync(path, """{"colour":"red"}"""), 400, "colour");
    }

    [Theory, MemberData(nameof(PostEndpoints))]
    public async Task Body_that_is_not_json_content_is_415_asking_for_json(string path)
    {
        ProblemAssert.IsProblem(await _http.ApiPostAsync(path, "queue=q&payload=1", "application/x-www-form-urlencoded"), 415, "application/json");
        ProblemAssert.IsProblem(await _http.ApiPostAsync(path, "{}", "text/plain"), 415, "application/json");
    }

    [Theory]
    [InlineData("/api/jobs", """{"queue":5,"payload":1}""", "queue")]
    [InlineData("/api/jobs", """{"queue":"q","priority":"high"}""", "priority")]
    [InlineData("/api/jobs", """{"queue":"q","delay":"soon"}""", "delay")]
    [InlineData("/api/jobs", """{"queue":"q","max_attempts":1.5}""", "max_attempts")]
    [InlineData("/api/jobs", """{"queue":"q","run_at":"tomorrow"}""", "run_at")]
    [InlineData("/api/jobs", """["q"]""", "JSON")]
    [InlineData("/api/jobs", "null", "JSON object")]
    [InlineData("/api/jobs/batch", """{"jobs":{"queue":"q"}}""", "jobs")]
    [InlineData("/api/jobs/batch", """{"jobs":[null]}""", "jobs[0]")]
    [InlineData("/api/jobs/batch", """{}""", "jobs")]
    [InlineData("/api/queues/q/fetch", """{"max":"all"}""", "max")]
    [InlineData("/api/queues/q/fetch", """{"max":0}""", "max")]
    [InlineData("/api/queues/q/fetch", """{"max":11}""", "max")]
    [InlineData("/api/queues/q/fetch", """{"wait":-1}""", "wait")]
    [InlineData("/api/leases/complete", """{"completions":[{"id":"one","attempt":1}]}""", "id")]
    [InlineData("/api/leases/complete", """{"completions":[{"id":1}]}""", "attempt")]
    [InlineData("/api/leases/fail", """{"failures":[{"id":0,"attempt":1}]}""", "id")]
    [InlineData("/api/leases/heartbeat", """{"leases":[{"id":1,"attempt":99999999999}]}""", "attempt")]
    [InlineData("/api/jobs/1/complete", """{"id":2,"attempt":1}""", "job 2")]
    [InlineData("/api/jobs/1/fail", """{"attempt":1,"retry":"no"}""", "retry")]
    public async Task Wrong_types_and_missing_fields_are_400_naming_the_field(string path, string body, string mention)
    {
        ProblemAssert.IsProblem(await _http.ApiPostAsync(path, body), 400, mention);
    }

    [Fact]
    public async Task Empty_body_is_400_asking_for_a_json_object()
    {
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs", ""), 400, "JSON");
    }

    [Theory]
    [InlineData("""{"queue":"q","payload":1,"payload_base64":"AQ=="}""", "not both")]
    [InlineData("""{"queue":"q","payload_base64":"not base64!"}""", "payload_base64")]
    [InlineData("""{"queue":"q","delay":5,"run_at":"2030-01-01T00:00:00Z"}""", "run_at")]
    [InlineData("""{"queue":"q","timeout":0.5}""", "timeout")]
    [InlineData("""{"queue":"q","max_attempts":100000}""", "max_attempts")]
    [InlineData("""{"queue":"q","unique_key":""}""", "unique_key")]
    [InlineData("""{"queue":"q","delay":1e300}""", "delay")]
    public async Task Contradictory_or_out_of_range_enqueue_options_are_400_naming_the_field(string body, string mention)
    {
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs", body), 400, mention);
    }

    [Fact]
    public async Task Payload_over_MaxPayloadBytes_is_413_naming_the_limit_and_nothing_is_stored()
    {
        var queue = Names.Queue();
        var big = new string('x', SmallLimits.MaxPayloadBytes);
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":"{{big}}"}"""), 413, "MaxPayloadBytes");
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs",
            $$"""{"queue":"{{queue}}","payload_base64":"{{Convert.ToBase64String(new byte[SmallLimits.MaxPayloadBytes + 1])}}"}"""), 413, "MaxPayloadBytes");
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs/batch",
            $$"""{"jobs":[{"queue":"{{queue}}","payload":1},{"queue":"{{queue}}","payload":"{{big}}"}]}"""), 413, "jobs[1].payload");
        Assert.Empty((await _http.ApiGetAsync($"/api/jobs?queue={queue}")).Json["jobs"]!.AsArray());
    }

    [Fact]
    public async Task Result_over_MaxResultBytes_is_413_and_the_job_stays_running()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue);
        var (_, attempt) = await _http.FetchOneAsync(queue, wait: 0);
        var big = new string('x', SmallLimits.MaxPayloadBytes);
        ProblemAssert.IsProblem(await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}},"result":"{{big}}"}"""),
            413, "MaxResultBytes");
        Assert.Equal("running", await _http.StateOfAsync(id));
    }

    [Fact]
    public async Task Batch_over_MaxBatchSize_is_413_naming_the_limit_and_nothing_is_stored()
    {
        var queue = Names.Queue();
        var jobs = string.Join(",", Enumerable.Repeat($$"""{"queue":"{{queue}}","payload":1}""", SmallLimits.MaxBatchSize + 1));
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs/batch", $$"""{"jobs":[{{jobs}}]}"""), 413, "MaxBatchSize");
        Assert.Empty((await _http.ApiGetAsync($"/api/jobs?queue={queue}")).Json["jobs"]!.AsArray());

        var leases = string.Join(",", Enumerable.Repeat("""{"id":1,"attempt":1}""", SmallLimits.MaxBatchSize + 1));
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/leases/heartbeat", $$"""{"leases":[{{leases}}]}"""), 413, "at most");
    }

    [Fact]
    public async Task Request_body_over_MaxRequestBodyBytes_is_413_problem()
    {
        var padding = new string(' ', SmallLimits.MaxRequestBodyBytes * 2);
        ProblemAssert.IsProblem(await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"q",{{padding}}"payload":1}"""), 413);
        Assert.Equal(201, (await _http.ApiPostAsync("/api/jobs", """{"queue":"q","payload":1}""")).Code);
    }
}
