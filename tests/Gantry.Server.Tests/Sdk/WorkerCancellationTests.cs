using Gantry.Client;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Sdk;

/// <summary>Cancelling a job while the worker host runs it: the handler's token fires, and the job ends cancelled.</summary>
public abstract class WorkerCancellationTests(ServerFixture fixture)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly InProcessServer _server = fixture.Server;

    [Fact]
    public async Task Cancelling_a_running_job_fires_the_handlers_token_and_the_job_ends_cancelled()
    {
        var queue = Names.Queue();
        var probe = new HandlerProbe();
        await using var worker = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddHandler<GatedHandler>(queue), [probe]);
        // A short lease makes the worker heartbeat often, which is how it hears of the cancellation.
        var job = await _server.Client.EnqueueAsync(queue, new Numbers(1, 1), new EnqueueOptions { Timeout = TimeSpan.FromSeconds(3) });
        Assert.Equal(job.Id, await probe.Started.Task.WaitAsync(Limit));

        var cancel = await _server.Client.CancelAsync(job.Id);
        Assert.Equal("cancel_requested", cancel.Outcome);

        Assert.Equal(job.Id, await probe.TokenFired.Task.WaitAsync(Limit));
        var finished = await _server.Client.WaitAsync(job.Id, Limit);
        Assert.True(finished.Finished);
        Assert.Equal("cancelled", finished.State);
        Assert.Equal(1, probe.Invocations[job.Id]);
        await Assert.ThrowsAsync<JobFailedException>(() => _server.Client.GetResultAsync<Sum>(job.Id, TimeSpan.Zero));
    }

    [Fact]
    public async Task Cancelling_a_waiting_job_means_no_handler_ever_runs_it()
    {
        var queue = Names.Queue();
        var probe = new HandlerProbe();
        var job = await _server.Client.EnqueueAsync(queue, new Numbers(1, 1));
        var marker = await _server.Client.EnqueueAsync(queue, new Numbers(2, 2));
        Assert.Equal("cancelled", (await _server.Client.CancelAsync(job.Id)).Outcome);

        await using var worker = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddHandler<AddHandler>(queue), [probe]);

        // The job enqueued after it is worked, so the worker has been through the queue.
        Assert.Equal(4, (await _server.Client.GetResultAsync<Sum>(marker.Id, Limit))!.Total);
        Assert.False(probe.Invocations.ContainsKey(job.Id));
    }
}

public sealed class WorkerCancellationOnSqlite(SqliteServerFixture f) : WorkerCancellationTests(f), IClassFixture<SqliteServerFixture>;

public sealed class WorkerCancellationOnPostgres(PostgresServerFixture f) : WorkerCancellationTests(f), IClassFixture<PostgresServerFixture>;
