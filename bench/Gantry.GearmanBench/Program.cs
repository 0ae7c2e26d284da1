using System.Text.Json;
using Gantry.GearmanBench;
using Gantry.Protocol.Gearman;

// gearman-bench --server HOST:PORT [--mode foreground|background] [--jobs 50000] [--clients 4] [--inflight 100]
//               [--workers 4] [--function bench] [--payload-bytes 64] [--warmup 5000] [--unique none|seq]
//               [--grab uniq|all|plain] [--stall-seconds 30] [--server-pid PID]
// Prints one JSON line on stdout per measurement; progress and failures go to stderr (exit code 1 on failure:
// a lost or duplicated job, a protocol error, a closed connection or a stall).
try
{
    var options = BenchOptions.Parse(args);
    var result = await Benchmark.RunAsync(options);
    Console.WriteLine(JsonSerializer.Serialize(result));
    return 0;
}
catch (Exception e) when (e is BenchFailure or ArgumentException or FormatException)
{
    Log.Info($"FAILED: {e.Message}");
    return 1;
}

namespace Gantry.GearmanBench
{
    internal enum Mode { Foreground, Background }

    internal sealed record BenchOptions(
        string Host, int Port, Mode Mode, int Jobs, int Clients, int InFlight, int Workers, string Function,
        int PayloadBytes, int Warmup, bool UniqueIds, GearmanPacketType Grab, int StallSeconds, int? ServerPid)
    {
        public static BenchOptions Parse(string[] args)
        {
            var o = new BenchOptions("127.0.0.1", 4730, Mode.Foreground, 50_000, 4, 100, 4, "bench", 64, 5_000, false, GearmanPacketType.GrabJobUniq, 30, null);
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                int Positive(string name)
                {
                    var value = int.Parse(Next());
                    return value > 0 ? value : throw new ArgumentException($"{name} must be positive; got {value}");
                }
                o = args[i] switch
                {
                    "--server" => ParseServer(o, Next()),
                    "--mode" => o with
                    {
                        Mode = Next() switch
                        {
                            "foreground" => Mode.Foreground,
                            "background" => Mode.Background,
                            var m => throw new ArgumentException($"--mode is foreground or background; got '{m}'"),
                        },
                    },
                    "--jobs" => o with { Jobs = Positive("--jobs") },
                    "--clients" => o with { Clients = Positive("--clients") },
                    "--inflight" => o with { InFlight = Positive("--inflight") },
                    "--workers" => o with { Workers = Positive("--workers") },
                    "--function" => o with { Function = Next() },
                    "--payload-bytes" => o with { PayloadBytes = int.Parse(Next()) },
                    "--warmup" => o with { Warmup = int.Parse(Next()) },
                    "--unique" => o with
                    {
                        UniqueIds = Next() switch
                        {
                            "none" => false,
                            "seq" => true,
                            var u => throw new ArgumentException($"--unique is none or seq; got '{u}'"),
                        },
                    },
                    "--grab" => o with
                    {
                        Grab = Next() switch
                        {
                            "uniq" => GearmanPacketType.GrabJobUniq,
                            "all" => GearmanPacketType.GrabJobAll,
                            "plain" => GearmanPacketType.GrabJob,
                            var g => throw new ArgumentException($"--grab is uniq, all or plain; got '{g}'"),
                        },
                    },
                    "--stall-seconds" => o with { StallSeconds = Positive("--stall-seconds") },
                    "--server-pid" => o with { ServerPid = int.Parse(Next()) },
                    "-h" or "--help" => throw new ArgumentException(
                        "usage: gearman-bench --server HOST:PORT [--mode foreground|background] [--jobs N] [--clients C] " +
                        "[--inflight K] [--workers M] [--function NAME] [--payload-bytes B] [--warmup W] [--unique none|seq] " +
                        "[--grab uniq|all|plain] [--stall-seconds S] [--server-pid PID]"),
                    _ => throw new ArgumentException($"unknown option {args[i]} (try --help)"),
                };
            }
            if (o.PayloadBytes < JobTag.Length)
                throw new ArgumentException($"--payload-bytes must be at least {JobTag.Length} (the payload carries the job's sequence number)");
            if (o.Warmup < 0) throw new ArgumentException("--warmup must not be negative");
            if (o.Function.Length == 0 || o.Function.Contains('\0')) throw new ArgumentException("--function must be a non-empty name");
            return o;
        }

        private static BenchOptions ParseServer(BenchOptions o, string value)
        {
            var colon = value.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), out var port) || port is <= 0 or > 65535)
                throw new ArgumentException($"--server is HOST:PORT; got '{value}'");
            return o with { Host = value[..colon].Trim('[', ']'), Port = port };
        }
    }

    /// <summary>A run that must not be reported: lost or duplicated jobs, protocol errors, stalls.</summary>
    internal sealed class BenchFailure(string message) : Exception(message);

    internal static class Log
    {
        public static void Info(string message) => Console.Error.WriteLine($"[gearman-bench] {message}");
    }
}
