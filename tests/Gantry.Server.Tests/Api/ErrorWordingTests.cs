using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>
/// What a bad request is told, over real HTTP: the JSON field as the API spells it (with its path), what it takes, and
/// time limits in seconds; never System.Text.Json's texts for .NET developers ("could not be converted to
/// System.Nullable`1[System.Int32]", "Gantry.Contracts.EnqueueJobRequest", "Change the reader options") nor a
/// TimeSpan like 11574.01:46:40. (On SQLite with small limits: reading a body happens before any store.)
/// </summary>
public sealed class ErrorWordingTests(SqliteSmallLimitsFixture fixture) : IClassFixture<SqliteSmallLimitsFixture>
{
    private readonly HttpClient _http = fixture.Server.Http;

    /// <summary>Bodies whose values do not fit the field's type: path, body, the field named, and what it must be.</summary>
    public static TheoryData<string, string, string, string> WrongTypes => new()
    {
        { "/api/jobs", """{"queue":5,"payload":1}""", "queue", "a string" },
        { "/api/jobs", """{"queue":"q","priority":"high"}""", "priority", "a whole number" },
        { "/api/jobs", """{"queue":"q","priority":3000000000}""", "priority", "a whole number" },
        { "/api/jobs", """{"queue":"q","max_attempts":1.5}""", "max_attempts", "a whole number" },
        { "/api/jobs", """{"queue":"q","delay":"soon"}""", "delay", "a number of seconds" },
        { "/api/jobs", """{"queue":"q","timeout":true}""", "timeout", "a number of seconds" },
        { "/api/jobs", """{"queue":"q","run_at":"tomorrow"}""", "run_at", "ISO 8601" },
        { "/api/jobs", """{"queue":"q","payload_base64":5}""", "payload_base64", "a string" },
        { "/api/jobs", """["q"]""", "body", "a JSON object" },
        { "/api/jobs/batch", """{"jobs":{"queue":"q"}}""", "jobs", "an array" },
        { "/api/jobs/batch", """{"jobs":[1]}""", "jobs[0]", "an object" },
        { "/api/jobs/batch", """{"jobs":[{"queue":"q"},{"queue":"q","priority":"x"}]}""", "jobs[1].priority", "a whole number" },
        { "/api/queues/q/fetch", """{"max":"all"}""", "max", "a whole number" },
        { "/api/queues/q/fetch", """{"wait":"long"}""", "wait", "a number of seconds" },
        { "/api/leases/heartbeat", """{"leases":[{"id":1,"attempt":99999999999}]}""", "leases[0].attempt", "a whole number" },
        { "/api/leases/complete", """{"completions":[{"id":"one","attempt":1}]}""", "completions[0].id", "a whole number" },
        { "/api/leases/fail", """{"failures":[{"id":1,"attempt":1,"error":7}]}""", "failures[0].error", "a string" },
        { "/api/jobs/1/fail", """{"attempt":1,"retry":"no"}""", "retry", "true or false" },
        { "/api/jobs/1/complete", """{"attempt":1,"id":null}""", "id", "a whole number" },
    };

    [Theory, MemberData(nameof(WrongTypes))]
    public async Task A_value_of_the_wrong_type_names_the_field_and_what_it_takes(string path, string body, string field, string expected)
    {
        var r = await _http.ApiPostAsync(path, body);

        ProblemAssert.IsProblem(r, 400, field, expected);
        ProblemAssert.SpeaksTheUsersTerms(r, field);
    }

    [Fact]
    public async Task Put_bodies_are_explained_the_same_way()
    {
        var lane = await _http.SendAsync(HttpMethod.Put, "/api/queues/q", """{"lane":5}""");
        ProblemAssert.IsProblem(lane, 400, "lane", "a string");
        ProblemAssert.SpeaksTheUsersTerms(lane, "lane");

        var recurring = await _http.SendAsync(HttpMethod.Put, "/api/recurring/r", """{"cron":"@daily","queue":"q","skip_if_running":"yes"}""");
        ProblemAssert.IsProblem(recurring, 400, "skip_if_running", "true or false");
        ProblemAssert.SpeaksTheUsersTerms(recurring, "skip_if_running");
    }

    public static TheoryData<string, string, string> Malformed => new()
    {
        { """{"queue": "q", """, "line 1, position 16", "ends before the JSON is complete" },
        { """{"queue":"q",}""", "line 1, position 14", "trailing comma" },
        { """{name:"Ada"}""", "line 1, position 2", "double quotes" },
        { "{\"queue\":\"q\",\n \"payload\": {'a': 1}}", "line 2, position 14", "double quotes" },
        { """{"queue":"q"} {"queue":"r"}""", "line 1, position 15", "more after the JSON value" },
        { """{"queue":"q" /* why */}""", "line 1, position 14", "" },
        { "", "empty", "" },
    };

    [Theory, MemberData(nameof(Malformed))]
    public async Task Malformed_json_says_so_with_line_and_position(string body, string where, string hint)
    {
        var r = await _http.ApiPostAsync("/api/jobs", body);

        ProblemAssert.IsProblem(r, 400, "body", where, hint);
        ProblemAssert.SpeaksTheUsersTerms(r);
    }

    [Fact]
    public async Task A_payload_nested_too_deep_names_the_payload_and_the_depth()
    {
        var r = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"q","payload":{{new string('[', 70)}}{{new string(']', 70)}}}""");

        ProblemAssert.IsProblem(r, 400, "payload", "more than 64 levels");
        ProblemAssert.SpeaksTheUsersTerms(r, "payload");
    }

    [Fact]
    public async Task A_string_that_is_not_utf8_names_the_field()
    {
        using var content = new ByteArrayContent([.. """{"queue":"q"""u8, 0xFF, .. "\"}"u8]);
        content.Headers.ContentType = new("application/json");
        using var response = await _http.PostAsync("/api/jobs", content);
        var r = new ApiResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());

        ProblemAssert.IsProblem(r, 400, "queue", "UTF-8");
        ProblemAssert.SpeaksTheUsersTerms(r, "queue");
    }

    [Theory]
    [InlineData("/api/jobs", """{"queue":"q","colour":"red"}""", "colour", "unique_key")]
    [InlineData("/api/jobs/batch", """{"jobs":[{"queue":"q","maxAttempts":3}]}""", "jobs[0].maxAttempts", "max_attempts")]
    [InlineData("/api/queues/q/fetch", """{"max":1,"timeout":5}""", "timeout", "wait")]
    [InlineData("/api/leases/complete", """{"completions":[{"id":1,"attempt":1,"output":1}]}""", "completions[0].output", "result_base64")]
    public async Task An_unknown_field_is_named_with_the_fields_the_request_takes(string path, string body, string field, string listed)
    {
        var r = await _http.ApiPostAsync(path, body);

        ProblemAssert.IsProblem(r, 400, field, "no field", listed);
        ProblemAssert.SpeaksTheUsersTerms(r, field);
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_413_naming_the_setting_not_kestrels_option()
    {
        var padding = new string(' ', SmallLimits.MaxRequestBodyBytes * 2);
        var r = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"q",{{padding}}"payload":1}""");

        ProblemAssert.IsProblem(r, 413, SmallLimits.MaxRequestBodyBytes.ToString(), "Gantry:Http:MaxRequestBodyBytes");
        Assert.DoesNotContain("MaxRequestBodySize", r.Body);
        ProblemAssert.SpeaksTheUsersTerms(r);
    }
}
