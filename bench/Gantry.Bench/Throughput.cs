using System.Diagnostics;
using Gantry.Client;
using Gantry.Client.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Bench;

/// <summary>
/// Enqueue N no-op jobs (timed on its own), then start the SDK worker host(s) and time until every job's completion
/// has been acknowledged by the server: the same shape as the graphile-worker harness (fill untimed, drain timed,
/// optionally after an untimed warm-up drain in the same process).
/// </summary>
internal static class Throughput
{
    /// <summary>Jobs per batch call while filling, and how many batch calls run at once.</summary>
    private const int FillBatch = 1000, FillParallelism = 4;

    public static async Task<object> RunAsync(BenchOptions o)
    {
        using var client = new GantryClient(o.Server);
        await client.HealthAsync();

        if (o.Warmup > 0)
        {
            Log.Info($"warm-up: draining {o.Warmup} jobs (untimed)");
            var warmQueue = "warmup-" + Guid.NewGuid().ToString("N")[..8];
            await FillAsync(client, warmQueue, o.Warmup);
            await DrainAsync(o, warmQueue, o.Warmup);
        }

        var queue = "bench-" + Guid.NewGuid().ToString("N")[..8];
        Log.Info($"filling {queue} with {o.Jobs} jobs");
        var fill = Stopwatch.StartNew();
        await FillAsync(client, queue, o.Jobs);
        fill.Stop();

        if (o.Between is not null) Shell.Run(o.Between);

        Log.Info($"draining with {o.Workers} worker host(s), concurrency {o.Concurrency}");
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var jitBefore = (Methods: System.Runtime.JitInfo.GetCompiledMethodCount(), Time: System.Runtime.JitInfo.GetCompilationTime());
        var drain = await DrainAsync(o, queue, o.Jobs);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        // The JIT still at work during the timed drain means the warm-up was too short to reach steady state.
        Log.Info($"JIT during the drain: {System.Runtime.JitInfo.GetCompiledMethodCount() - jitBefore.Methods} methods, " +
                 $"{(System.Runtime.JitInfo.GetCompilationTime() - jitBefore.Time).TotalMilliseconds:0} ms");

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
            warmup = o.Warmup,
            enqueue_seconds = Math.Round(fill.Elapsed.TotalSeconds, 3),
            enqueue_jobs_per_sec = Math.Round(o.Jobs / fill.Elapsed.TotalSeconds),
            seconds = Math.Round(drain.TotalSeconds, 3),
            jobs_per_sec = Math.Round(o.Jobs / drain.TotalSeconds),
            worker_cpu_seconds = Math.Round(cpu.TotalSeconds, 3),
        };
    }

    private static async Task FillAsync(GantryClient client, string queue, int jobs)
    {
        var batches = Enumerable.Range(0, (jobs + FillBatch - 1) / FillBatch)
            .Select(b => Enumerable.Range(b * FillBatch, Math.Min(FillBatch, jobs - b * FillBatch))
                .Select(i => client.Job(queue, new { n = i })).ToList()).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = FillParallelism },
            async (batch, ct) => await client.EnqueueManyAsync(batch, ct));
    }

    /// <summary>Starts the worker host(s) and returns the time until all <paramref name="jobs"/> completions are acknowledged.</summary>
    private static async Task<TimeSpan> DrainAsync(BenchOptions o, string queue, int jobs)
    {
        NoOp.Reset(jobs);
        var hosts = Enumerable.Range(0, o.Workers)
            .Select(_ => WorkerHost(o.Server, queue, Math.Max(1, o.Concurrency / o.Workers), o.Prefetch / o.Workers)).ToList();
        var clock = Stopwatch.StartNew();
        using var progress = Environment.GetEnvironmentVariable("BENCH_PROGRESS") is null ? null : new Timer(_ =>
            Log.Info($"  {clock.ElapsedMilliseconds} ms: {jobs - NoOp.Remaining} handled"), null, 50, 50);
        await Task.WhenAll(hosts.Select(h => h.StartAsync()));
        await NoOp.AllDone.WaitAsync(TimeSpan.FromMinutes(10));
        var handled = clock.Elapsed;
        // Stopping flushes the last completions: the clock stops when the server has acknowledged every one.
        await Task.WhenAll(hosts.Select(h => h.StopAsync()));
        clock.Stop();
        Log.Info($"all {jobs} handlers ran after {handled.TotalMilliseconds:0} ms; completions acknowledged after {clock.Elapsed.TotalMilliseconds:0} ms");
        foreach (var h in hosts) h.Dispose();
        return clock.Elapsed;
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

        public static int Remaining => Volatile.Read(ref _remaining);

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
