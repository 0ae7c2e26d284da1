using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>
/// Strings holding U+0000 are valid JSON but not valid PostgreSQL text: whatever a store does with them, the caller
/// must get a 2xx or a 4xx that names the field, never a 5xx, and a batch must not fail for everyone because of one.
/// </summary>
public abstract class TextWithNulTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    protected async Task Unique_key_holding_NUL_is_accepted_or_refused_as_bad_input()
    {
        var queue = Names.Queue();
        var r = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":1,"unique_key":"a\u0000b"}""");

        if (r.Code >= 400) ProblemAssert.IsProblem(r, 400, "unique_key");
        else Assert.Equal(201, r.Code);
    }

    protected async Task Failure_text_holding_NUL_is_recorded_or_refused_as_bad_input()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue);
        var (_, attempt) = await _http.FetchOneAsync(queue, wait: 0);

        var r = await _http.ApiPostAsync($"/api/jobs/{id}/fail", $$"""{"attempt":{{attempt}},"error":"bad\u0000byte","details":"\u0000"}""");

        if (r.Code >= 400)
        {
            ProblemAssert.IsProblem(r, 400, "error");
            return;
        }
        Assert.Equal(200, r.Code);
        var job = await _http.GetJobAsync(id);
        // The fixtures retry after a few milliseconds, so the job may already be available again.
        Assert.Contains(job["state"]!.GetValue<string>(), new[] { "failed", "available" });
        Assert.StartsWith("bad", job["errors"]![0]!["message"]!.GetValue<string>());
    }
}

public sealed class TextWithNulOnSqlite(SqliteServerFixture f) : TextWithNulTests(f), IClassFixture<SqliteServerFixture>
{
    [Fact]
    public Task Unique_key_holding_NUL_is_not_a_server_error() => Unique_key_holding_NUL_is_accepted_or_refused_as_bad_input();

    [Fact]
    public Task Failure_text_holding_NUL_is_not_a_server_error() => Failure_text_holding_NUL_is_recorded_or_refused_as_bad_input();
}

public sealed class TextWithNulOnPostgres(PostgresServerFixture f) : TextWithNulTests(f), IClassFixture<PostgresServerFixture>
{
    [Fact]
    public Task Unique_key_holding_NUL_is_not_a_server_error() => Unique_key_holding_NUL_is_accepted_or_refused_as_bad_input();

    [Fact]
    public Task Failure_text_holding_NUL_is_not_a_server_error() => Failure_text_holding_NUL_is_recorded_or_refused_as_bad_input();
}
