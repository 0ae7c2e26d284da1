using System.Diagnostics;
using Gantry.Client;
using Gantry.Client.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Bench;

/// <summary>Pickup latency at low load: an idle worker long-polls; each job is enqueued after the previous one started,
/// and the sample is enqueue call → handler start.</summary>
internal static class Latency
{
    private static TaskCompletionSource<long> _started = new();

    public static async Task<object> RunAsync(BenchOptions o)
    {
        var queue = "latency-" + Guid.NewGuid().ToString("N")[..8];
        using var client = new GantryClient(o.Server);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddGantryWorker(w => w.Client = new GantryClientOptions { ServerUrl = new Uri(o.Server) })
            .AddHandler<Probe>(queue, 1);
        using var worker = builder.Build();
        await worker.StartAsync();

        // Warm up the connection pools and the JIT before sampling.
        for (var i = 0; i < 50; i++) await Sample(client, queue);
        var samples = new double[o.Samples];
        var enqueues = new double[o.Samples];
        for (var i = 0; i < samples.Length; i++) (samples[i], enqueues[i]) = await Sample(client, queue);
        await worker.StopAsync();

        Array.Sort(samples);
        Array.Sort(enqueues);
        return new
        {
            system = "gantry",
            store = o.Store,
            samples = samples.Length,
            pickup_p50_ms = Math.Round(Percentile(samples, 0.50), 2),
            pickup_p99_ms = Math.Round(Percentile(samples, 0.99), 2),
            enqueue_p50_ms = Math.Round(Percentile(enqueues, 0.50), 2),
        };
    }

    /// <summary>One job: (enqueue call → handler start, enqueue call → enqueue acknowledged) in milliseconds.</summary>
    private static async Task<(double Pickup, double Enqueue)> Sample(GantryClient client, string queue)
    {
        _started = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var t0 = Stopwatch.GetTimestamp();
        await client.EnqueueAsync(queue, new { t = t0 });
        var acknowledged = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        var t1 = await _started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds, acknowledged);
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    internal static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private sealed class Probe : IJobHandler
    {
        public Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
        {
            _started.TrySetResult(Stopwatch.GetTimestamp());
            return Task.FromResult(JobResult.None);
        }
    }
}
