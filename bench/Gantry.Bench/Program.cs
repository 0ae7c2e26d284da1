using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gantry.Bench;

// gantry-bench throughput --server URL [--jobs 20000] [--concurrency 24] [--prefetch 500] [--warmup 0] [--workers 1] [--between "shell command"]
// gantry-bench latency    --server URL [--samples 200]
// gantry-bench ontime     --server URL [--jobs 300] [--spread 15] [--lead 2] [--concurrency 16] [--warmup 20]
// gantry-bench publish     --server URL [--messages 20000] [--concurrency 16] [--batch 1] [--payload-bytes 64] [--warmup 2000]
// gantry-bench fanout      --server URL [--subscribers 10] [--messages 20000] [--rate 0 (flat out) | messages/s] [--timeout 120]
// gantry-bench group-drain --server URL [--messages 20000] [--members 2] [--max 100] [--wait 1] [--warmup 2000] [--between "shell command"]
// Prints one JSON line on stdout; progress goes to stderr.
object result;
if (args is ["publish" or "fanout" or "group-drain", ..])
{
    var topicOptions = TopicBenchOptions.Parse(args);
    result = args[0] switch
    {
        "publish" => await Topics.PublishAsync(topicOptions),
        "fanout" => await Topics.FanoutAsync(topicOptions),
        _ => await Topics.GroupDrainAsync(topicOptions),
    };
    Console.WriteLine(JsonSerializer.Serialize(result));
    return 0;
}
var (verb, options) = BenchOptions.Parse(args);
result = verb switch
{
    "throughput" => await Throughput.RunAsync(options),
    "latency" => await Latency.RunAsync(options),
    "ontime" => await OnTime.RunAsync(options),
    _ => throw new ArgumentException($"unknown verb '{verb}': use throughput, latency, ontime, publish, fanout or group-drain"),
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

namespace Gantry.Bench
{
    /// <param name="Spread">ontime: the jobs' run_at instants are spread evenly over this many seconds.</param>
    /// <param name="Lead">ontime: seconds from enqueueing to the first run_at.</param>
    internal sealed record BenchOptions(string Server, int Jobs, int Concurrency, int Workers, int Samples, string? Between, string Store,
        int Prefetch, int Warmup, double Spread, double Lead)
    {
        private static readonly BenchOptions Defaults = new("http://127.0.0.1:4780", 20000, 24, 1, 200, null, "unknown", 500, 0, 15, 2);

        /// <summary>ontime is a light, spread-out load: a few hundred jobs, a small warm-up for the JIT and the connections.</summary>
        private static BenchOptions DefaultsFor(string verb) =>
            verb == "ontime" ? Defaults with { Jobs = 300, Concurrency = 16, Warmup = 20 } : Defaults;

        public static (string Verb, BenchOptions Options) Parse(string[] args)
        {
            if (args.Length == 0) throw new ArgumentException("usage: gantry-bench throughput|latency|ontime --server URL [...]");
            var o = DefaultsFor(args[0]);
            for (var i = 1; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                o = args[i] switch
                {
                    "--server" => o with { Server = Next() },
                    "--jobs" => o with { Jobs = int.Parse(Next()) },
                    "--concurrency" => o with { Concurrency = int.Parse(Next()) },
                    "--workers" => o with { Workers = int.Parse(Next()) },
                    "--samples" => o with { Samples = int.Parse(Next()) },
                    "--between" => o with { Between = Next() },
                    "--store" => o with { Store = Next() },
                    "--prefetch" => o with { Prefetch = int.Parse(Next()) },
                    "--warmup" => o with { Warmup = int.Parse(Next()) },
                    "--spread" => o with { Spread = double.Parse(Next(), CultureInfo.InvariantCulture) },
                    "--lead" => o with { Lead = double.Parse(Next(), CultureInfo.InvariantCulture) },
                    _ => throw new ArgumentException($"unknown option {args[i]}"),
                };
            }
            return (args[0], o);
        }
    }

    internal static class Log
    {
        public static void Info(string message) => Console.Error.WriteLine($"[gantry-bench] {message}");
    }

    internal static class Shell
    {
        public static void Run(string command)
        {
            using var p = Process.Start(new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = false })!;
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"'{command}' exited with {p.ExitCode}");
        }
    }
}
