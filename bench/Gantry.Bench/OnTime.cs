using System.Collections.Concurrent;
using System.Diagnostics;
using Gantry.Client;
using Gantry.Client.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Bench;

/// <summary>
/// Do scheduled jobs start on time? An idle SDK worker waits on a fresh queue; N jobs are enqueued at once, each with
/// its own run_at, evenly spread over the next <c>--spread</c> seconds after a <c>--lead</c>. Each sample is the
/// handler's start (wall clock) minus the job's run_at; the server's own started_at − run_at is read back afterwards.
/// </summary>
internal static class OnTime
{
    /// <summary>Jobs per batch call; the server's default batch limit is 1000.</summary>
    private const int EnqueueBatch = 500;

    /// <summary>What the issue asks for: a job at a specific time starts within a second of it.</summary>
    private static readonly TimeSpan LateThreshold = TimeSpan.FromSeconds(1);

    public static async Task<object> RunAsync(BenchOptions o)
    {
        if (o.Jobs < 1 || o.Spread <= 0 || o.Lead <= 0) throw new ArgumentException("--jobs, --spread and --lead must be positive");
        var queue = "ontime-" + Guid.NewGuid().ToString("N")[..8];
        using var client = new GantryClient(o.Server);
        await client.HealthAsync();

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGantryWorker(w => w.Client = new GantryClientOptions { ServerUrl = new Uri(o.Server) })
            .AddHandler<Probe>(queue, o.Concurrency);
        using var worker = builder.Build();
        await worker.StartAsync();

        if (o.Warmup > 0)
        {
            // Immediate jobs through the same worker, so the scheduled ones meet warm connections and compiled code.
            Probe.Reset(o.Warmup);
            await EnqueueAsync(client, Enumerable.Range(0, o.Warmup).Select(i => client.Job(queue, new { warmup = i })));
            await Probe.AllStarted.WaitAsync(TimeSpan.FromSeconds(30));
        }

        Probe.Reset(o.Jobs);
        var first = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(o.Lead);
        var step = TimeSpan.FromSeconds(o.Spread / o.Jobs);
        var jobs = Enumerable.Range(0, o.Jobs)
            .Select(i => client.Job(queue, new { n = i }, new EnqueueOptions { RunAt = first + step * i }));
        var enqueueClock = Stopwatch.StartNew();
        var ids = await EnqueueAsync(client, jobs);
        var enqueued = enqueueClock.Elapsed;
        // A run_at already past when the enqueue returned would measure the enqueue, not the scheduler.
        if (DateTimeOffset.UtcNow >= first)
            throw new InvalidOperationException($"enqueueing took {enqueued.TotalMilliseconds:0} ms, past the first run_at: raise --lead");
        Log.Info($"{o.Jobs} jobs on {queue} due from {first:HH:mm:ss.fff} over {o.Spread} s (enqueued in {enqueued.TotalMilliseconds:0} ms)");

        await Probe.AllStarted.WaitAsync(TimeSpan.FromSeconds(o.Lead + o.Spread + 60));
        await worker.StopAsync(); // flushes the completions, so the server's view below is final

        var lateness = Probe.Lateness.Values.Order().ToArray();
        var server = await ServerLatenessAsync(client, queue, ids);
        Log.Info($"latest start: {lateness[^1]:0.0} ms after its run_at (handler), {(server.Length > 0 ? server[^1] : double.NaN):0.0} ms (server)");
        return new
        {
            system = "gantry",
            store = o.Store,
            jobs = o.Jobs,
            concurrency = o.Concurrency,
            spread_s = o.Spread,
            lead_s = o.Lead,
            enqueue_ms = Math.Round(enqueued.TotalMilliseconds, 1),
            lateness_min_ms = Math.Round(lateness[0], 2),
            lateness_p50_ms = Math.Round(Latency.Percentile(lateness, 0.50), 2),
            lateness_p95_ms = Math.Round(Latency.Percentile(lateness, 0.95), 2),
            lateness_p99_ms = Math.Round(Latency.Percentile(lateness, 0.99), 2),
            lateness_max_ms = Math.Round(lateness[^1], 2),
            late_over_1s = lateness.Count(ms => ms > LateThreshold.TotalMilliseconds),
            server_lateness_p50_ms = server.Length > 0 ? Math.Round(Latency.Percentile(server, 0.50), 2) : (double?)null,
            server_lateness_p99_ms = server.Length > 0 ? Math.Round(Latency.Percentile(server, 0.99), 2) : (double?)null,
            server_lateness_max_ms = server.Length > 0 ? Math.Round(server[^1], 2) : (double?)null,
        };
    }

    private static async Task<HashSet<long>> EnqueueAsync(GantryClient client, IEnumerable<Gantry.Contracts.EnqueueJobRequest> jobs)
    {
        var ids = new HashSet<long>();
        foreach (var batch in jobs.Chunk(EnqueueBatch))
            foreach (var job in await client.EnqueueManyAsync(batch)) ids.Add(job.Id);
        return ids;
    }

    /// <summary>started_at − run_at in milliseconds as the server recorded it, for the measured jobs, ascending.</summary>
    private static async Task<double[]> ServerLatenessAsync(GantryClient client, string queue, HashSet<long> ids)
    {
        var samples = new List<double>(ids.Count);
        long? before = null;
        do
        {
            var page = await client.ListJobsAsync(queue, limit: 500, before: before);
            samples.AddRange(page.Jobs.Where(j => ids.Contains(j.Id) && j.StartedAt is not null)
                .Select(j => (j.StartedAt!.Value - j.RunAt).TotalMilliseconds));
            before = page.Next;
        } while (before is not null);
        return samples.Order().ToArray();
    }

    private sealed class Probe : IJobHandler
    {
        private static int _remaining;
        private static TaskCompletionSource _allStarted = new();

        /// <summary>Job id → handler start − run_at in milliseconds, first start only.</summary>
        public static ConcurrentDictionary<long, double> Lateness { get; private set; } = new();

        public static Task AllStarted => _allStarted.Task;

        public static void Reset(int jobs)
        {
            Lateness = new ConcurrentDictionary<long, double>();
            _remaining = jobs;
            _allStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        public Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
        {
            var now = DateTimeOffset.UtcNow; // first thing: the start is what is measured
            if (Lateness.TryAdd(job.Id, (now - job.Job.RunAt).TotalMilliseconds) && Interlocked.Decrement(ref _remaining) == 0)
                _allStarted.TrySetResult();
            return Task.FromResult(JobResult.None);
        }
    }
}
