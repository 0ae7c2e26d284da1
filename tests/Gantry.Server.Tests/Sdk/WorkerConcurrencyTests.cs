using Gantry.Client;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Sdk;

/// <summary>The worker host's concurrency setting: as many handlers at once as configured, and never more.
/// (Client-side behaviour, so one store is enough.)</summary>
public sealed class WorkerConcurrencyTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private readonly InProcessServer _server = fixture.Server;

    [Theory]
    [InlineData(1, 5)]
    [InlineData(4, 12)]
    public async Task Queue_with_concurrency_N_runs_N_handlers_at_once_and_never_more(int concurrency, int jobs)
    {
        var queue = Names.Queue();
        var probe = new HandlerProbe();
        await _server.Client.EnqueueManyAsync(Enumerable.Range(0, jobs).Select(i => _server.Client.Job(queue, new Numbers(i, 0))));
        await using var worker = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddHandler<GatedHandler>(queue, concurrency), [probe]);

        // Let handlers through one at a time, each time only once the worker has filled every slot it may: an
        // over-eager worker gets every chance to start one too many.
        for (var finished = 0; finished < jobs; finished++)
        {
            var expected = Math.Min(concurrency, jobs - finished);
            await Eventually.TrueAsync(() => probe.Running == expected, $"{expected} handlers running after {finished} finished");
            probe.Gate.Release();
        }

        await Eventually.TrueAsync(async () => (await _server.Client.ListQueuesAsync()).Single(q => q.Name == queue).Counts["succeeded"] == jobs,
            $"all {jobs} jobs succeeded");
        Assert.Equal(concurrency, probe.MaxRunning);
        Assert.Equal(jobs, probe.Invocations.Count);
        Assert.All(probe.Invocations.Values, n => Assert.Equal(1, n));
    }

    [Fact]
    public async Task Two_queues_in_one_host_each_keep_their_own_concurrency()
    {
        var (small, large) = (Names.Queue("small"), Names.Queue("large"));
        var (smallProbe, largeProbe) = (new HandlerProbe(), new HandlerProbe());
        for (var i = 0; i < 4; i++)
        {
            await _server.Client.EnqueueAsync(small, new Numbers(i, 0));
            await _server.Client.EnqueueAsync(large, new Numbers(i, 0));
        }
        var gates = new SharedGates(smallProbe, largeProbe);
        await using var worker = await WorkerHost.StartAsync(_server.BaseAddress,
            w => w.AddHandler<SmallQueueHandler>(small, 1).AddHandler<LargeQueueHandler>(large, 3), [gates]);

        await Eventually.TrueAsync(() => smallProbe.Running == 1 && largeProbe.Running == 3, "1 + 3 handlers running");
        smallProbe.Gate.Release(4);
        largeProbe.Gate.Release(4);
        await Eventually.TrueAsync(() => smallProbe.Invocations.Count == 4 && largeProbe.Invocations.Count == 4 &&
                                         smallProbe.Running == 0 && largeProbe.Running == 0, "all 8 jobs handled");
        Assert.Equal(1, smallProbe.MaxRunning);
        Assert.Equal(3, largeProbe.MaxRunning);
    }

    public sealed record SharedGates(HandlerProbe Small, HandlerProbe Large);

    public sealed class SmallQueueHandler(SharedGates gates) : Gantry.Client.Workers.IJobHandler
    {
        public Task<Gantry.Client.Workers.JobResult> HandleAsync(Gantry.Client.Workers.JobContext job, CancellationToken ct) =>
            new GatedHandler(gates.Small).HandleAsync(job, ct);
    }

    public sealed class LargeQueueHandler(SharedGates gates) : Gantry.Client.Workers.IJobHandler
    {
        public Task<Gantry.Client.Workers.JobResult> HandleAsync(Gantry.Client.Workers.JobContext job, CancellationToken ct) =>
            new GatedHandler(gates.Large).HandleAsync(job, ct);
    }
}
