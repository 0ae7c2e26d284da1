using System.Collections.Concurrent;
using Gantry.Client;
using Gantry.Client.Workers;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Sdk;

/// <summary>The worker host's job budget (<c>MaxJobs</c>) and observer: a host with a budget leases exactly that many
/// jobs, over all its queues and despite prefetch, tells the observer when they are done, and leaves the rest available
/// for the next worker. (Client-side behaviour, so one store is enough.)</summary>
public sealed class WorkerBudgetTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private readonly InProcessServer _server = fixture.Server;

    [Fact]
    public async Task A_host_with_a_budget_leases_no_more_than_it_and_reports_every_job_to_the_observer()
    {
        const int budget = 5;
        var (first, second) = (Names.Queue("budget-a"), Names.Queue("budget-b"));
        for (var i = 0; i < 6; i++)
        {
            await _server.Client.EnqueueAsync(first, new Numbers(i, 0));
            await _server.Client.EnqueueAsync(second, new Numbers(i, 0));
        }
        var observer = new RecordingObserver();
        await using var worker = await WorkerHost.StartAsync(_server.BaseAddress,
            w => w.AddHandler<AddHandler>(first, concurrency: 2, prefetch: 4).AddHandler(second, typeof(AddHandler), concurrency: 2, prefetch: 4),
            [new HandlerProbe()], o =>
            {
                o.MaxJobs = budget;
                o.Observer = observer;
            });

        await observer.Spent.Task.WaitAsync(Eventually.DefaultLimit);
        await worker.StopAsync();

        Assert.Equal(budget, observer.Started.Count);
        Assert.Equal(budget, observer.Finished.Count);
        Assert.All(observer.Finished.Values, outcome => Assert.Equal(JobRunOutcome.Succeeded, outcome));
        var queues = (await _server.Client.ListQueuesAsync()).Where(q => q.Name == first || q.Name == second).ToList();
        Assert.Equal(budget, queues.Sum(q => q.Counts.GetValueOrDefault("succeeded")));
        Assert.Equal(12 - budget, queues.Sum(q => q.Counts.GetValueOrDefault("available")));
    }

    private sealed class RecordingObserver : IJobObserver
    {
        public ConcurrentDictionary<long, int> Started { get; } = new();
        public ConcurrentDictionary<long, JobRunOutcome> Finished { get; } = new();
        public TaskCompletionSource Spent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void JobStarted(JobContext job) => Started[job.Id] = job.Attempt;
        public void JobFinished(JobContext job, JobRunOutcome outcome, TimeSpan duration, string? error) => Finished[job.Id] = outcome;
        public void BudgetSpent() => Spent.TrySetResult();
    }
}
