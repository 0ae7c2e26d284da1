using System.Net;
using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>The queue list with its counts, and pausing and resuming a queue, over HTTP.</summary>
public abstract class QueueApiTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    private async Task<JsonNode> QueueAsync(string name)
    {
        var r = await _http.ApiGetAsync("/api/queues");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        return r.Json["queues"]!.AsArray().SingleOrDefault(q => q!["name"]!.GetValue<string>() == name)
               ?? throw new Xunit.Sdk.XunitException($"queue {name} is not listed: {r.Body}");
    }

    [Fact]
    public async Task Queue_list_counts_the_queues_jobs_by_state()
    {
        var queue = Names.Queue();
        for (var i = 0; i < 5; i++) await _http.EnqueueAsync(queue);
        await _http.EnqueueAsync(queue, "{}", ""","delay":3600""");
        var (done, a1) = await _http.FetchOneAsync(queue);
        await _http.ApiPostAsync($"/api/jobs/{done}/complete", $$"""{"attempt":{{a1}}}""");
        var (dead, a2) = await _http.FetchOneAsync(queue);
        await _http.ApiPostAsync($"/api/jobs/{dead}/fail", $$"""{"attempt":{{a2}},"error":"no","retry":false}""");
        await _http.FetchOneAsync(queue); // stays running
        var cancelled = await _http.EnqueueAsync(queue);
        await _http.ApiPostAsync($"/api/jobs/{cancelled}/cancel");

        var q = await QueueAsync(queue);
        var counts = q["counts"]!;
        Assert.Equal(1, counts["scheduled"]!.GetValue<long>());
        Assert.Equal(2, counts["available"]!.GetValue<long>());
        Assert.Equal(1, counts["running"]!.GetValue<long>());
        Assert.Equal(1, counts["succeeded"]!.GetValue<long>());
        Assert.Equal(1, counts["dead"]!.GetValue<long>());
        Assert.Equal(1, counts["cancelled"]!.GetValue<long>());
        Assert.Equal(0, counts["failed"]!.GetValue<long>());
        Assert.False(q["paused"]!.GetValue<bool>());
        Assert.NotNull(q["oldest_available_age_seconds"]);
    }

    [Fact]
    public async Task Paused_queue_hands_out_nothing_until_it_is_resumed()
    {
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue);

        Assert.Equal(HttpStatusCode.NoContent, (await _http.ApiPostAsync($"/api/queues/{queue}/pause")).Status);
        Assert.True((await QueueAsync(queue))["paused"]!.GetValue<bool>());
        Assert.Empty(await _http.FetchAsync(queue, max: 10));
        await _http.EnqueueAsync(queue); // enqueueing goes on while paused
        Assert.Empty(await _http.FetchAsync(queue, max: 10, wait: 0.2));
        Assert.Equal("available", await _http.StateOfAsync(id));

        Assert.Equal(HttpStatusCode.NoContent, (await _http.ApiPostAsync($"/api/queues/{queue}/resume")).Status);
        Assert.False((await QueueAsync(queue))["paused"]!.GetValue<bool>());
        Assert.Equal(2, (await _http.FetchAsync(queue, max: 10)).Count);
    }

    [Fact]
    public async Task A_worker_long_polling_a_paused_queue_gets_the_job_when_the_queue_is_resumed()
    {
        var queue = Names.Queue();
        await _http.ApiPostAsync($"/api/queues/{queue}/pause?create=true"); // paused before its first job
        var id = await _http.EnqueueAsync(queue);

        var fetch = _http.FetchAsync(queue, max: 1, wait: 30);
        await _http.ApiPostAsync($"/api/queues/{queue}/resume");

        var jobs = await fetch.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(id, Assert.Single(jobs)!["id"]!.GetValue<long>());
    }
}

public sealed class QueueApiOnSqlite(SqliteServerFixture f) : QueueApiTests(f), IClassFixture<SqliteServerFixture>;

public sealed class QueueApiOnPostgres(PostgresServerFixture f) : QueueApiTests(f), IClassFixture<PostgresServerFixture>;
