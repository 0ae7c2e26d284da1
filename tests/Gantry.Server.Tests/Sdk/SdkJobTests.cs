using Gantry.Client;
using Gantry.Client.Workers;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Sdk;

/// <summary>The SDK end to end: GantryClient's typed calls against a worker host built with AddGantryWorker, with
/// successes, retries, discards and payloads that do not fit.</summary>
public abstract class SdkJobTests(ServerFixture fixture)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);
    private readonly InProcessServer _server = fixture.Server;
    private readonly HandlerProbe _probe = new();

    private Task<WorkerHost> WorkerAsync(Action<GantryWorkerBuilder> handlers, params object[] shared) =>
        WorkerHost.StartAsync(_server.BaseAddress, handlers, [_probe, .. shared]);

    [Fact]
    public async Task RunAsync_returns_the_typed_result_the_handler_computed()
    {
        var queue = Names.Queue();
        await using var worker = await WorkerAsync(w => w.AddHandler<AddHandler>(queue));

        var sum = await _server.Client.RunAsync<Numbers, Sum>(queue, new Numbers(2, 40), Limit);

        Assert.Equal(42, sum!.Total);
    }

    [Fact]
    public async Task Typed_enqueue_then_GetResultAsync_returns_the_result()
    {
        var queue = Names.Queue();
        await using var worker = await WorkerAsync(w => w.AddHandler<AddHandler>(queue));

        var job = await _server.Client.EnqueueAsync(queue, new Numbers(5, 6));
        var sum = await _server.Client.GetResultAsync<Sum>(job.Id, Limit);

        Assert.Equal(11, sum!.Total);
        Assert.Equal(1, _probe.Invocations[job.Id]);
        var view = await _server.Client.GetAsync(job.Id);
        Assert.Equal("succeeded", view!.State);
        Assert.Equal("""{"a":5,"b":6}""", view.Payload.ToString());
    }

    [Fact]
    public async Task Handler_that_keeps_throwing_is_retried_until_dead_and_RunAsync_throws_JobFailedException()
    {
        var queue = Names.Queue();
        await using var worker = await WorkerAsync(w => w.AddHandler<FlakyHandler>(queue), new FlakyHandler.Settings());

        var ex = await Assert.ThrowsAsync<JobFailedException>(() =>
            _server.Client.RunAsync<Numbers, Sum>(queue, new Numbers(1, 1), Limit, new EnqueueOptions { MaxAttempts = 3 }));

        Assert.Equal("dead", ex.State);
        Assert.Contains("boom on attempt 3", ex.LastError);
        Assert.Equal(3, _probe.Invocations[ex.JobId]);
        Assert.Equal([1, 2, 3], _probe.Attempts.Select(a => a.Attempt));
        var job = await _server.Client.GetAsync(ex.JobId);
        Assert.Equal(["boom on attempt 1", "boom on attempt 2", "boom on attempt 3"], job!.Errors.Select(e => e.Message));
    }

    [Fact]
    public async Task Handler_that_fails_twice_then_succeeds_gives_its_result_on_the_third_attempt()
    {
        var queue = Names.Queue();
        await using var worker = await WorkerAsync(w => w.AddHandler<FlakyHandler>(queue), new FlakyHandler.Settings(SucceedOnAttempt: 3));

        var job = await _server.Client.EnqueueAsync(queue, new Numbers(0, 0), new EnqueueOptions { MaxAttempts = 5 });
        var sum = await _server.Client.GetResultAsync<Sum>(job.Id, Limit);

        Assert.Equal(3, sum!.Total);
        Assert.Equal(3, _probe.Invocations[job.Id]);
        Assert.Equal(2, (await _server.Client.GetAsync(job.Id))!.Errors.Count);
    }

    [Fact]
    public async Task DiscardJobException_makes_the_job_dead_on_its_first_attempt()
    {
        var queue = Names.Queue();
        await using var worker = await WorkerAsync(w => w.AddHandler<DiscardingHandler>(queue));

        var job = await _server.Client.EnqueueAsync(queue, new Numbers(1, 2), new EnqueueOptions { MaxAttempts = 10 });
        var ex = await Assert.ThrowsAsync<JobFailedException>(() => _server.Client.GetResultAsync<Sum>(job.Id, Limit));

        Assert.Equal("dead", ex.State);
        Assert.Equal("the invoice number does not exist", ex.LastError);
        Assert.Equal(1, _probe.Invocations[job.Id]);
        Assert.Equal(1, (await _server.Client.GetAsync(job.Id))!.Attempt);
    }

    [Fact]
    public async Task Payload_that_does_not_fit_the_handlers_type_is_dead_at_once_naming_the_type()
    {
        var queue = Names.Queue();
        await using var worker = await WorkerAsync(w => w.AddHandler<AddHandler>(queue));

        var job = await _server.Client.EnqueueAsync(queue, "just a string", new EnqueueOptions { MaxAttempts = 10 });
        var ex = await Assert.ThrowsAsync<JobFailedException>(() => _server.Client.GetResultAsync<Sum>(job.Id, Limit));

        Assert.Equal("dead", ex.State);
        Assert.Contains(nameof(Numbers), ex.LastError);
        Assert.Equal(1, (await _server.Client.GetAsync(job.Id))!.Attempt);
    }
}

public sealed class SdkJobsOnSqlite(SqliteServerFixture f) : SdkJobTests(f), IClassFixture<SqliteServerFixture>;

public sealed class SdkJobsOnPostgres(PostgresServerFixture f) : SdkJobTests(f), IClassFixture<PostgresServerFixture>;
