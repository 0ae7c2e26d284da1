using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>Submit-and-wait (<c>POST /api/jobs?wait=</c>) and the wait long poll (<c>GET /api/jobs/{id}/wait</c>).</summary>
public abstract class SubmitAndWaitApiTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    /// <summary>A worker made of plain HTTP calls: takes the next job of <paramref name="queue"/> and completes it.</summary>
    private async Task<long> WorkOneAsync(string queue, string resultJson)
    {
        var (id, attempt) = await _http.FetchOneAsync(queue, wait: 30);
        var r = await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}},"result":{{resultJson}}}""");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        return id;
    }

    [Fact]
    public async Task Enqueue_with_wait_returns_the_finished_job_once_a_worker_completes_it()
    {
        var queue = Names.Queue();
        var submit = _http.ApiPostAsync("/api/jobs?wait=30", $$$"""{"queue":"{{{queue}}}","payload":{"x":2}}""");

        var worked = await WorkOneAsync(queue, """{"y":4}""");

        var r = await submit.WaitAsync(TimeSpan.FromSeconds(25));
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal(worked, r.Json["id"]!.GetValue<long>());
        Assert.Equal("succeeded", r.Json["state"]!.GetValue<string>());
        Assert.True(r.Json["finished"]!.GetValue<bool>());
        Assert.Equal("""{"y":4}""", r.RawField("result"));
    }

    [Fact]
    public async Task Enqueue_with_wait_returns_the_unfinished_job_when_nobody_works_it_in_time()
    {
        var queue = Names.Queue();
        var r = await _http.ApiPostAsync("/api/jobs?wait=0.2", $$"""{"queue":"{{queue}}","payload":1}""");

        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.False(r.Json["finished"]!.GetValue<bool>());
        Assert.Equal("available", r.Json["state"]!.GetValue<string>());
        Assert.Equal("available", await _http.StateOfAsync(r.Json["id"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Wait_returns_finished_false_with_the_job_as_it_is_when_the_timeout_runs_out()
    {
        var id = await _http.EnqueueAsync(Names.Queue());

        var r = await _http.ApiGetAsync($"/api/jobs/{id}/wait?timeout=0.2");

        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal(id, r.Json["id"]!.GetValue<long>());
        Assert.False(r.Json["finished"]!.GetValue<bool>());
        Assert.Equal("available", r.Json["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Wait_returns_as_soon_as_another_request_finishes_the_job()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue);
        var wait = _http.ApiGetAsync($"/api/jobs/{id}/wait?timeout=60");
        Assert.False(wait.IsCompleted);

        await WorkOneAsync(queue, "\"done\"");

        var r = await wait.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(r.Json["finished"]!.GetValue<bool>());
        Assert.Equal("\"done\"", r.RawField("result"));
    }

    [Fact]
    public async Task Wait_on_a_dead_job_returns_it_finished_with_its_errors()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue);
        var (_, attempt) = await _http.FetchOneAsync(queue);
        await _http.ApiPostAsync($"/api/jobs/{id}/fail", $$"""{"attempt":{{attempt}},"error":"nope","retry":false}""");

        var r = await _http.ApiGetAsync($"/api/jobs/{id}/wait?timeout=10");
        Assert.True(r.Json["finished"]!.GetValue<bool>());
        Assert.Equal("dead", r.Json["state"]!.GetValue<string>());
        Assert.Equal("nope", r.Json["errors"]![0]!["message"]!.GetValue<string>());
    }
}

public sealed class SubmitAndWaitApiOnSqlite(SqliteServerFixture f) : SubmitAndWaitApiTests(f), IClassFixture<SqliteServerFixture>;

public sealed class SubmitAndWaitApiOnPostgres(PostgresServerFixture f) : SubmitAndWaitApiTests(f), IClassFixture<PostgresServerFixture>;
