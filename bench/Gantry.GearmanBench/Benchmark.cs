using Gantry.Gearman.Client;
using System.Diagnostics;
using System.Text;
using Gantry.Protocol.Gearman;

namespace Gantry.GearmanBench;

/// <summary>
/// Opens the worker and client connections, runs the untimed warm-up and then the measured phase over the same
/// connections, checks that every job was acknowledged, assigned exactly once and completed, and summarises.
/// </summary>
internal static class Benchmark
{
    /// <summary>How long to keep listening after the last completion for a job delivered twice.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(250);

    public static async Task<object> RunAsync(BenchOptions o)
    {
        var function = Encoding.UTF8.GetBytes(o.Function);
        var phases = new Phase?[256];
        using var stop = new CancellationTokenSource();
        var connections = new List<GearmanConnection>();
        var loops = new List<Task>();
        var workers = new List<Worker>();
        var clients = new List<Client>();
        try
        {
            Log.Info($"{o.Host}:{o.Port}: {o.Workers} worker(s), {o.Clients} client(s) x {o.InFlight} in flight, {o.Mode.ToString().ToLowerInvariant()} " +
                     $"jobs of '{o.Function}' with {o.PayloadBytes}-byte payloads");
            for (var i = 0; i < o.Workers; i++)
            {
                var connection = BenchConnection.Open(o.Host, o.Port, $"worker {i}");
                connections.Add(connection);
                var worker = new Worker(connection, $"worker {i}", o, function, tag => phases[tag]);
                workers.Add(worker);
                loops.Add(OnThread(worker.Run));
            }
            for (var i = 0; i < o.Clients; i++)
            {
                var connection = BenchConnection.Open(o.Host, o.Port, $"client {i}");
                connections.Add(connection);
                var client = new Client(connection, $"client {i}", o, function);
                clients.Add(client);
                loops.Add(OnThread(client.Receive));
            }
            // The loops run until the connections are closed at the end: one that ends earlier has failed.
            var connectionEnded = Task.WhenAny(loops);

            if (o.Warmup > 0)
            {
                var warmup = phases['W'] = new Phase("warm-up", (byte)'W', o.Warmup);
                var warmClock = Stopwatch.StartNew();
                await RunPhaseAsync(warmup, clients, connectionEnded, o, stop.Token);
                Log.Info($"warm-up: {o.Warmup} jobs in {warmClock.ElapsedMilliseconds} ms (untimed)");
            }

            var measured = phases['M'] = new Phase("measured run", (byte)'M', o.Jobs);
            var sleepsBefore = workers.Sum(w => w.Sleeps);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var serverCpuBefore = ServerCpu(o.ServerPid);
            await RunPhaseAsync(measured, clients, connectionEnded, o, stop.Token);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var serverCpu = ServerCpu(o.ServerPid) - serverCpuBefore;
            var sleeps = workers.Sum(w => w.Sleeps) - sleepsBefore;

            // A server that hands a job out twice usually does so soon after: listen a little longer before judging.
            await Task.WhenAny(Task.Delay(Settle), connectionEnded);
            if (connectionEnded.IsCompleted) await ConnectionFailedAsync(connectionEnded);
            if (measured.Duplicates > 0 || (phases['W']?.Duplicates ?? 0) > 0)
                throw new BenchFailure($"jobs assigned to workers more than once: {measured.Diagnose()}");

            return Summarise(o, measured, cpu, serverCpu, sleeps, workers);
        }
        finally
        {
            stop.Cancel();
            foreach (var connection in connections) connection.Dispose();
            try { await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(2)); } catch (Exception) { /* already reported, or shutting down */ }
        }
    }

    /// <summary>Rethrows why a connection's loop ended before the run did.</summary>
    private static async Task ConnectionFailedAsync(Task<Task> connectionEnded)
    {
        await await connectionEnded;
        throw new BenchFailure("a connection closed before the run ended");
    }

    /// <summary>Runs blocking I/O on a dedicated thread; the task reports how it ended.</summary>
    private static Task OnThread(Action loop) =>
        Task.Factory.StartNew(loop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static async Task RunPhaseAsync(Phase phase, List<Client> clients, Task<Task> connectionEnded, BenchOptions o,
        CancellationToken cancellationToken)
    {
        var starting = Task.Run(() => clients.ForEach(c => c.Start(phase)), cancellationToken);
        var lastEvents = -1;
        var lastChange = Stopwatch.StartNew();
        while (!phase.Finished.IsCompleted)
        {
            await Task.WhenAny(phase.Finished, connectionEnded, Task.Delay(1000, cancellationToken));
            if (connectionEnded.IsCompleted) await ConnectionFailedAsync(connectionEnded);
            if (starting.IsFaulted) await starting;
            var events = phase.Events;
            if (events != lastEvents)
            {
                lastEvents = events;
                lastChange.Restart();
            }
            else if (lastChange.Elapsed.TotalSeconds >= o.StallSeconds)
            {
                throw new BenchFailure($"no progress for {o.StallSeconds} s, jobs lost or the server is stuck: {phase.Diagnose()}");
            }
        }
        await starting;
    }

    private static object Summarise(BenchOptions o, Phase phase, TimeSpan cpu, double? serverCpu, long sleeps, List<Worker> workers)
    {
        long firstSubmit = long.MaxValue, lastAck = 0, lastDone = 0;
        var ack = new double[phase.Jobs];
        var roundTrip = new double[phase.Jobs];
        for (var i = 0; i < phase.Jobs; i++)
        {
            if (phase.Deliveries[i] != 1 || phase.Acknowledged[i] == 0 || phase.Completed[i] == 0)
                throw new BenchFailure($"job #{i} was not acknowledged, assigned once and completed: {phase.Diagnose()}");
            firstSubmit = Math.Min(firstSubmit, phase.Submitted[i]);
            lastAck = Math.Max(lastAck, phase.Acknowledged[i]);
            lastDone = Math.Max(lastDone, phase.Completed[i]);
            ack[i] = Milliseconds(phase.Acknowledged[i] - phase.Submitted[i]);
            roundTrip[i] = Milliseconds(phase.Completed[i] - phase.Submitted[i]);
        }
        var seconds = Milliseconds(lastDone - firstSubmit) / 1000;
        var submitSeconds = Milliseconds(lastAck - firstSubmit) / 1000;
        Array.Sort(ack);
        Array.Sort(roundTrip);
        var foreground = o.Mode == Mode.Foreground;
        var perWorker = workers.Select(w => w.Assigned).ToList();
        Log.Info($"{phase.Jobs} jobs in {seconds * 1000:0} ms ({phase.Jobs / seconds:0} jobs/s); submit-ack p50 {Percentile(ack, 50):0.00} ms, " +
                 $"p99 {Percentile(ack, 99):0.00} ms" +
                 (foreground ? $"; round trip p50 {Percentile(roundTrip, 50):0.00} ms, p99 {Percentile(roundTrip, 99):0.00} ms" : "") +
                 $"; workers slept {sleeps} times; jobs per worker (incl. warm-up) [{string.Join(", ", perWorker)}]");
        return new
        {
            server = $"{o.Host}:{o.Port}",
            mode = foreground ? "foreground" : "background",
            function = o.Function,
            jobs = o.Jobs,
            clients = o.Clients,
            inflight = o.InFlight,
            workers = o.Workers,
            payload_bytes = o.PayloadBytes,
            unique = o.UniqueIds ? "seq" : "none",
            grab = GearmanPacketTypes.Name(o.Grab),
            warmup = o.Warmup,
            seconds = Math.Round(seconds, 3),
            jobs_per_sec = Math.Round(phase.Jobs / seconds),
            submit_seconds = Math.Round(submitSeconds, 3),
            submit_jobs_per_sec = Math.Round(phase.Jobs / submitSeconds),
            submit_ack_p50_ms = Math.Round(Percentile(ack, 50), 3),
            submit_ack_p99_ms = Math.Round(Percentile(ack, 99), 3),
            round_trip_p50_ms = foreground ? Math.Round(Percentile(roundTrip, 50), 3) : (double?)null,
            round_trip_p99_ms = foreground ? Math.Round(Percentile(roundTrip, 99), 3) : (double?)null,
            lost = 0,
            duplicated = 0,
            worker_sleeps = sleeps,
            bench_cpu_seconds = Math.Round(cpu.TotalSeconds, 3),
            server_cpu_seconds = serverCpu is { } s ? Math.Round(s, 3) : (double?)null,
        };
    }

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>User plus system CPU seconds of the server process so far, from /proc (Linux); null without --server-pid.</summary>
    private static double? ServerCpu(int? pid)
    {
        if (pid is null) return null;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the command name in parentheses: state is field 3, utime 14, stime 15, in clock ticks
            // (USER_HZ, 100 per second on Linux).
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(rest[11]) + long.Parse(rest[12])) / 100.0;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            throw new BenchFailure($"cannot read the CPU time of server process {pid}: {e.Message}");
        }
    }
}
