using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Gantry.Core.Storage;
using Gantry.Testing;
using Xunit;

namespace Gantry.Storage.Tests;

/// <summary>What each conformance test gets: a migrated store on a manual clock, and helpers to build jobs.</summary>
public sealed class StoreUnderTest(IStore store, JobSignals signals, ManualTimeProvider time)
{
    public IStore Store { get; } = store;
    public IJobStore Jobs => Store.Jobs;
    public IQueueStore Queues => Store.Queues;
    public IRecurringStore Recurring => Store.Recurring;
    public JobSignals Signals { get; } = signals;
    public ManualTimeProvider Time { get; } = time;

    /// <summary>Rules with no jitter, so retry times are exact: 2 s, 4 s, 8 s, …</summary>
    public FailureRules Rules { get; } = new(new RetryPolicy(new RetryOptions { Jitter = 0 }), new JobLimits());

    public DateTimeOffset Now => Time.GetUtcNow();

    public NewJob Job(string queue = "q", string payload = "{}", int priority = 0, TimeSpan? delay = null,
        string? uniqueKey = null, int maxAttempts = 3, TimeSpan? timeout = null) =>
        new(queue, System.Text.Encoding.UTF8.GetBytes(payload), uniqueKey, priority, Now + (delay ?? TimeSpan.Zero),
            maxAttempts, timeout ?? TimeSpan.FromSeconds(30), Now, WatchFinish: false);

    public async Task<long> Insert(NewJob job) => (await Jobs.JobInsertMany([job], default))[0].Id;

    public async Task<LeasedJob> LeaseOne(string queue = "q")
    {
        var jobs = await Jobs.JobGetAvailable(queue, 1, Now, default);
        Assert.Single(jobs);
        return jobs[0];
    }

    public async Task<Job> Get(long id) => await Jobs.JobGet(id, default) ?? throw new Xunit.Sdk.XunitException($"job {id} not found");
}
