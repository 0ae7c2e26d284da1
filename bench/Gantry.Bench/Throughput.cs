using System.Diagnostics;
using Gantry.Client;
using Gantry.Client.Workers;
using Gantry.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Bench;

/// <summary>
/// Enqueue N no-op jobs (timed on its own), then start the SDK worker host(s) and time until every job's completion
/// has been acknowledged by the server: the same shape as the graphile-worker harness (fill untimed, drain timed).
/// </summary>
internal static class Throughput
{
    /// <summary>Jobs per batch call while filling, and how many batch calls run at once.</summary>
    private const int FillBatch = 1000, FillParallelism = 4;

    public static async Task<object> RunAsync(BenchOptions o)
    {
        var queue = "bench-" + Guid.NewGuid().ToString("N")[..8];
        using var client = new GantryClient(o.Server);
        await client.HealthAsync();

        Log.Info($"filling {queue} with {o.Jobs} jobs");
        var fill = Stopwatch.StartNew();
        var batches = Enumerable.Range(0, (o.Jobs + FillBatch - 1) / FillBatch)
            .Select(b => Enumerable.Range(b * FillBatch, Math.Min(FillBatch, o.Jobs - b * FillBatch))
                .Select(i => client.Job(queue, new { n = i })).ToList()).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = FillParallelism },
            async (batch, ct) => await client.EnqueueManyAsync(batch, ct));
        fill.Stop();

        if (o.Between is not null) Shell.Run(o.Between);

        NoOp.Reset(o.Jobs);
        var hosts = Enumerable.Range(0, o.Workers).Select(_ => WorkerHost(o.Server, queue, Math.Max(1, o.Concurrency / o.Workers), o.Prefetch / o.Workers)).ToList();
        Log.Info($"draining with {o.Workers} worker host(s), concurrency {o.Concurrency}");
        var drain = Stopwatch.StartNew();
        await Task.WhenAll(hosts.Select(h => h.StartAsync()));
        await NoOp.AllDone.WaitAsync(TimeSpan.FromMinutes(10));
        // Stopping flushes the last completions: the clock stops when the server has acknowledged every one.
        await Task.WhenAll(hosts.Select(h => h.StopAsync()));
        drain.Stop();
        foreach (var h in hosts) h.Dispose();

        var summary = (await client.ListQueuesAsync()).Single(q => q.Name == queue);
        var succeeded = summary.Counts.GetValueOrDefault("succeeded");
        if (succeeded != o.Jobs) throw new InvalidOperationException($"expected {o.Jobs} succeeded jobs, the server reports {succeeded}");

        return new
        {
            system = "gantry",
            store = o.Store,
            jobs = o.Jobs,
            concurrency = o.Concurrency,
            workers = o.Workers,
            prefetch = o.Prefetch,
            enqueue_seconds = Math.Round(fill.Elapsed.TotalSeconds, 3),
            enqueue_jobs_per_sec = Math.Round(o.Jobs / fill.Elapsed.TotalSeconds),
            seconds = Math.Round(drain.Elapsed.TotalSeconds, 3),
            jobs_per_sec = Math.Round(o.Jobs / drain.Elapsed.TotalSeconds),
        };
    }

    internal static IHost WorkerHost(string server, string queue, int concurrency, int prefetch)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(Environment.GetEnvironmentVariable("BENCH_DEBUG") is null ? LogLevel.Warning : LogLevel.Debug);
        builder.Services.AddGantryWorker(w => w.Client = new GantryClientOptions { ServerUrl = new Uri(server) })
            .AddHandler<NoOp>(queue, concurrency, prefetch);
        return builder.Build();
    }

    /// <summary>The job every benchmark runs: counts itself and returns.</summary>
    internal sealed class NoOp : IJobHandler
    {
        private static int _remaining;
        private static TaskCompletionSource _allDone = new();

        public static Task AllDone => _allDone.Task;

        public static void Reset(int jobs)
        {
            _remaining = jobs;
            _allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
        {
            if (Interlocked.Decrement(ref _remaining) == 0) _allDone.TrySetResult();
            return Task.FromResult(JobResult.None);
        }
    }
}
