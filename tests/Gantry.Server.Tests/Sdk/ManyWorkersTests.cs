using System.Collections.Concurrent;
using Gantry.Client.Workers;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Sdk;

/// <summary>
/// Two worker hosts × concurrency 8 drain one queue of 2000 jobs: every job succeeds, its handler ran exactly once,
/// and no job ran twice at the same time. On PostgreSQL the hosts talk to two different servers sharing the database.
/// </summary>
public abstract class ManyWorkersTests : IAsyncLifetime
{
    private const int Jobs = 2000;
    private const int Concurrency = 8;
    private readonly List<InProcessServer> _servers = [];
    private TestStore _store = null!;

    protected abstract Task<TestStore> CreateStoreAsync();

    /// <summary>How many servers share the store; the worker hosts are spread over them.</summary>
    protected abstract int Servers { get; }

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        for (var i = 0; i < Servers; i++) _servers.Add(await InProcessServer.StartAsync(_store, TestSettings.QuickRetries));
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _servers) await s.DisposeAsync();
        await _store.DisposeAsync();
    }

    /// <summary>Every handler invocation of the run, across both hosts.</summary>
    public sealed class Ledger
    {
        public ConcurrentDictionary<long, int> Runs { get; } = new();
        public ConcurrentDictionary<long, int> RunningNow { get; } = new();
        public int Overlaps;
    }

    /// <summary>Which host ran how many jobs.</summary>
    public sealed class HostTally
    {
        public int Handled;
    }

    public sealed class CountingHandler(Ledger ledger, HostTally tally) : IJobHandler
    {
        public async Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
        {
            ledger.Runs.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
            if (ledger.RunningNow.AddOrUpdate(job.Id, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref ledger.Overlaps);
            await Task.Yield();
            ledger.RunningNow.AddOrUpdate(job.Id, 0, (_, n) => n - 1);
            Interlocked.Increment(ref tally.Handled);
            return JobResult.Json(job.Id);
        }
    }

    [Fact]
    public async Task Two_hosts_with_concurrency_8_drain_2000_jobs_each_run_exactly_once()
    {
        var queue = Names.Queue("drain");
        var ledger = new Ledger();
        var tallies = new[] { new HostTally(), new HostTally() };
        var hosts = new List<WorkerHost>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                var server = _servers[i % _servers.Count];
                hosts.Add(await WorkerHost.StartAsync(server.BaseAddress, w => w.AddHandler<CountingHandler>(queue, Concurrency), [ledger, tallies[i]]));
            }

            // Enqueued while the workers already wait, through both servers, in batches.
            var ids = new List<long>();
            for (var batch = 0; batch < Jobs / 500; batch++)
            {
                var client = _servers[batch % _servers.Count].Client;
                var enqueued = await client.EnqueueManyAsync(Enumerable.Range(batch * 500, 500).Select(n => client.Job(queue, new { n })));
                ids.AddRange(enqueued.Select(e => e.Id));
            }
            Assert.Equal(Jobs, ids.Distinct().Count());

            var reader = _servers[^1].Client;
            await Eventually.TrueAsync(async () => (await reader.ListQueuesAsync()).Single(q => q.Name == queue).Counts["succeeded"] == Jobs,
                $"all {Jobs} jobs succeeded", TimeSpan.FromSeconds(120));

            Assert.Equal(0, ledger.Overlaps);
            Assert.Equal(Jobs, ledger.Runs.Count);
            Assert.DoesNotContain(ledger.Runs, r => r.Value != 1);
            Assert.True(ids.All(ledger.Runs.ContainsKey), "a handler ran a job nobody enqueued");
            Assert.All(tallies, t => Assert.True(t.Handled > 0, "both hosts take part"));

            // The server agrees: each job succeeded on its first attempt with the result its handler gave.
            var seen = 0;
            long? before = null;
            do
            {
                var page = await reader.ListJobsAsync(queue, "succeeded", 500, before);
                foreach (var job in page.Jobs)
                {
                    Assert.Equal(1, job.Attempt);
                    Assert.Equal(job.Id.ToString(), job.Result.ToString());
                    seen++;
                }
                before = page.Next;
            } while (before is not null);
            Assert.Equal(Jobs, seen);
        }
        finally
        {
            foreach (var h in hosts) await h.DisposeAsync();
        }
    }
}

public sealed class ManyWorkersOnSqlite : ManyWorkersTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
    protected override int Servers => 1;
}

/// <summary>Two servers on one PostgreSQL database, one worker host on each.</summary>
public sealed class ManyWorkersOnTwoPostgresServers : ManyWorkersTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
    protected override int Servers => 2;
}
