using Gantry.Client;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Server.Tests.Sdk;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Faults;

/// <summary>Leases: a worker that vanishes loses its job to another worker once the lease runs out; a worker that
/// heartbeats keeps its job as long as it needs. (The fixture checks leases every 100 ms.)</summary>
public abstract class ExpiredLeaseTests(ServerFixture fixture)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly InProcessServer _server = fixture.Server;

    [Fact]
    public async Task Job_of_a_worker_that_vanished_becomes_available_again_and_another_worker_completes_it()
    {
        var queue = Names.Queue();
        var job = await _server.Client.EnqueueAsync(queue, new Numbers(3, 4), new EnqueueOptions { Timeout = TimeSpan.FromSeconds(2) });
        // The first worker leases the job and is never heard from again: no heartbeat, no report.
        var (leased, firstAttempt) = await _server.Http.FetchOneAsync(queue, wait: 0);
        Assert.Equal((job.Id, 1), (leased, firstAttempt));

        var probe = new HandlerProbe();
        await using var second = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddHandler<AddHandler>(queue), [probe]);

        Assert.Equal(7, (await _server.Client.GetResultAsync<Sum>(job.Id, Limit))!.Total);
        var done = await _server.Client.GetAsync(job.Id);
        Assert.Equal(2, done!.Attempt);
        Assert.Contains("lease expired", Assert.Single(done.Errors).Message);
        Assert.Equal([(job.Id, 2)], probe.Attempts);

        // The first worker's report, should it ever come, changes nothing.
        var late = await _server.Http.ApiPostAsync($"/api/jobs/{job.Id}/complete", """{"attempt":1,"result":"stale"}""");
        ProblemAssert.IsProblem(late, 409, "lost");
        Assert.Equal("""{"total":7}""", (await _server.Client.GetAsync(job.Id))!.Result.ToString());
    }

    [Fact]
    public async Task Heartbeats_keep_a_long_job_leased_past_its_timeout()
    {
        var queue = Names.Queue();
        var probe = new HandlerProbe();
        await using var worker = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddHandler<GatedHandler>(queue), [probe]);
        var job = await _server.Client.EnqueueAsync(queue, new Numbers(0, 0), new EnqueueOptions { Timeout = TimeSpan.FromSeconds(2) });
        await probe.Started.Task.WaitAsync(Limit);
        var firstLease = (await _server.Client.GetAsync(job.Id))!.LeaseExpiresAt!.Value;

        // Wait until heartbeats carried the lease a whole timeout past where the fetch left it.
        await Eventually.TrueAsync(async () => (await _server.Client.GetAsync(job.Id))!.LeaseExpiresAt > firstLease + TimeSpan.FromSeconds(2),
            "the lease extended by heartbeats beyond one timeout");

        var running = await _server.Client.GetAsync(job.Id);
        Assert.Equal("running", running!.State);
        Assert.Equal(1, running.Attempt);
        probe.Gate.Release();
        var done = await _server.Client.WaitAsync(job.Id, Limit);
        Assert.Equal("succeeded", done.State);
        Assert.Equal(1, done.Attempt);
        Assert.Empty(done.Errors);
        Assert.Equal(0, probe.TokensFired);
    }
}

public sealed class ExpiredLeaseOnSqlite(SqliteServerFixture f) : ExpiredLeaseTests(f), IClassFixture<SqliteServerFixture>;

public sealed class ExpiredLeaseOnPostgres(PostgresServerFixture f) : ExpiredLeaseTests(f), IClassFixture<PostgresServerFixture>;
