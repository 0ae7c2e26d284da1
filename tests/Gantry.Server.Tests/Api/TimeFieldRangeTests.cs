using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>
/// Every time field over HTTP, out of range: a 400 naming the field, its range in seconds (and days or hours where
/// that reads better) and the setting a configurable limit comes from; never "must be non-negative" for a value that
/// is too large, nor a TimeSpan. Fields that are too long are 400 naming the field and its limit; 413 is only for a
/// body over the size limit (and for payloads and results over theirs).
/// </summary>
public sealed class TimeFieldRangeTests(SqliteSmallLimitsFixture fixture) : IClassFixture<SqliteSmallLimitsFixture>
{
    private readonly HttpClient _http = fixture.Server.Http;

    private static readonly string MaxWait = $"between 0 and {SmallLimits.MaxWaitSeconds} seconds (Gantry:Limits:MaxWait)";
    private const string MaxDelay = "between 0 and 315360000 seconds (3650 days)";
    private const string MaxTimeout = "between 1 and 86400 seconds (24 hours, Gantry:Limits:MaxTimeout)";

    public static TheoryData<string, string, string, string, string> OutOfRange => new()
    {
        { "POST", "/api/jobs", """{"queue":"q","delay":1e12}""", "delay", MaxDelay },
        { "POST", "/api/jobs", """{"queue":"q","delay":315360001}""", "delay", MaxDelay },
        { "POST", "/api/jobs", """{"queue":"q","delay":-1}""", "delay", MaxDelay },
        { "POST", "/api/jobs", """{"queue":"q","run_at":"9999-12-31T23:59:59Z"}""", "run_at", "more than 3650 days ahead" },
        { "POST", "/api/jobs", """{"queue":"q","timeout":1e7}""", "timeout", MaxTimeout },
        { "POST", "/api/jobs", """{"queue":"q","timeout":1e20}""", "timeout", MaxTimeout },
        { "POST", "/api/jobs", """{"queue":"q","timeout":0.5}""", "timeout", MaxTimeout },
        { "POST", "/api/jobs/batch", """{"jobs":[{"queue":"q"},{"queue":"q","delay":1e12}]}""", "jobs[1].delay", MaxDelay },
        { "POST", "/api/jobs/batch", """{"jobs":[{"queue":"q","timeout":99999}]}""", "jobs[0].timeout", MaxTimeout },
        { "POST", "/api/jobs?wait=1e12", """{"queue":"q"}""", "wait", MaxWait },
        { "POST", "/api/jobs?wait=-3", """{"queue":"q"}""", "wait", MaxWait },
        { "POST", "/api/queues/q/fetch", """{"wait":1e12}""", "wait", MaxWait },
        { "POST", "/api/queues/q/fetch", $$"""{"wait":{{SmallLimits.MaxWaitSeconds + 1}}}""", "wait", MaxWait },
        { "GET", "/api/jobs/1/wait?timeout=1e20", "", "timeout", MaxWait },
        { "PUT", "/api/recurring/ranges", """{"cron":"@daily","queue":"q","timeout":1e9}""", "timeout", MaxTimeout },
    };

    [Theory, MemberData(nameof(OutOfRange))]
    public async Task An_out_of_range_time_says_the_range_in_seconds(string method, string path, string body, string field, string range)
    {
        var r = await _http.SendAsync(new HttpMethod(method), path, body.Length == 0 ? null : body);

        ProblemAssert.IsProblem(r, 400, field, range);
        ProblemAssert.SpeaksTheUsersTerms(r, field);
        Assert.DoesNotContain("non-negative", r.Body);
    }

    [Fact]
    public async Task The_largest_delay_is_accepted()
    {
        var r = await _http.ApiPostAsync("/api/jobs", """{"queue":"ranges","delay":315360000}""");
        Assert.Equal(201, r.Code);
    }

    [Theory]
    [InlineData("time_zone", 65, "at most 64 characters")]
    [InlineData("cron", 257, "at most 256 characters")]
    public async Task A_recurring_field_that_is_too_long_is_400_naming_it_and_its_limit(string field, int length, string limit)
    {
        var value = field == "cron" ? "* * * * * " + new string('*', length - 10) : new string('Z', length);
        var body = field == "cron"
            ? $$"""{"cron":"{{value}}","queue":"q"}"""
            : $$"""{"cron":"@daily","queue":"q","time_zone":"{{value}}"}""";

        var r = await _http.SendAsync(HttpMethod.Put, "/api/recurring/too-long", body);

        ProblemAssert.IsProblem(r, 400, field, limit);
        ProblemAssert.SpeaksTheUsersTerms(r, field);
    }

    [Fact]
    public async Task A_unique_key_that_is_too_long_is_400_naming_it_and_its_limit()
    {
        var r = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"q","unique_key":"{{new string('k', 256)}}"}""");

        ProblemAssert.IsProblem(r, 400, "unique_key", "at most 255 characters", "Gantry:Limits:MaxUniqueKeyLength");
        ProblemAssert.SpeaksTheUsersTerms(r, "unique_key");
    }
}
