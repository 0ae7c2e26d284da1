using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>
/// Two servers on one PostgreSQL database, as when one machine is outgrown: what happens through one is seen through
/// the other at once. The fallback poll is out of reach, so only the servers' notifications can make these pass.
/// </summary>
public sealed class TwoPostgresServersTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private InProcessServer _a = null!;
    private InProcessServer _b = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.PostgresAsync();
        var settings = TestSettings.Merge(TestSettings.QuickRetries, TestSettings.NoFallbackPoll);
        _a = await InProcessServer.StartAsync(_store, settings);
        _b = await InProcessServer.StartAsync(_store, settings);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Fact]
    public async Task Long_poll_on_one_server_returns_as_soon_as_the_other_server_takes_a_job()
    {
        var queue = Names.Queue();
        var fetch = _b.Http.FetchAsync(queue, max: 1, wait: 60);
        Assert.False(fetch.IsCompleted);

        var id = await _a.Http.EnqueueAsync(queue);

        Assert.Equal(id, Assert.Single(await fetch.WaitAsync(TimeSpan.FromSeconds(30)))!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task Submit_and_wait_on_one_server_returns_when_a_worker_completes_the_job_through_the_other()
    {
        var queue = Names.Queue();
        var submit = _a.Http.ApiPostAsync("/api/jobs?wait=60", $$"""{"queue":"{{queue}}","payload":1}""");

        var (id, attempt) = await _b.Http.FetchOneAsync(queue, wait: 30);
        Assert.Equal(HttpStatusCode.OK, (await _b.Http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}},"result":"via b"}""")).Status);

        var r = await submit.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("succeeded", r.Json["state"]!.GetValue<string>());
        Assert.Equal("\"via b\"", r.RawField("result"));
    }

    [Fact]
    public async Task Cancel_through_one_server_reaches_the_worker_heartbeating_through_the_other()
    {
        var queue = Names.Queue();
        var id = await _a.Http.EnqueueAsync(queue);
        var (_, attempt) = await _b.Http.FetchOneAsync(queue, wait: 0);

        Assert.Equal("cancel_requested", (await _a.Http.ApiPostAsync($"/api/jobs/{id}/cancel")).Json["outcome"]!.GetValue<string>());

        var beat = await _b.Http.ApiPostAsync($"/api/jobs/{id}/heartbeat", $$"""{"attempt":{{attempt}}}""");
        Assert.Equal("cancel_requested", beat.Json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Workers_fetching_through_both_servers_at_once_never_lease_a_job_twice()
    {
        const int jobs = 60;
        var queue = Names.Queue();
        await _a.Client.EnqueueManyAsync(Enumerable.Range(0, jobs).Select(i => _a.Client.Job(queue, i)));
        var leased = new System.Collections.Concurrent.ConcurrentBag<long>();

        // Four workers, two per server, fetch concurrently until every job is out.
        await Task.WhenAll(Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var http = (w % 2 == 0 ? _a : _b).Http;
            while (leased.Count < jobs)
            {
                foreach (var job in await http.FetchAsync(queue, max: 3, wait: 0.2)) leased.Add(job!["id"]!.GetValue<long>());
            }
        }))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(jobs, leased.Count);
        Assert.Equal(jobs, leased.Distinct().Count());
    }
}
