using Gantry.Core.Queues;
using Gantry.Protocol.Gearman;

namespace Gantry.Gearman;

/// <summary>The Gearman front, bound from <c>Gantry:Gearman</c> (env <c>GANTRY_GEARMAN__…</c>).</summary>
public sealed class GearmanOptions : Core.Options.ISelfValidatingOptions
{
    /// <summary>Defaults to Gearman's IANA port on loopback only: nothing is reachable from the network unless configured.</summary>
    public const string DefaultListen = "127.0.0.1:4730";
    /// <summary>The <see cref="Listen"/> value that turns the Gearman front off.</summary>
    public const string Off = "off";
    /// <summary>Defaults to 64 bytes, gearmand's limit, so clients that work with gearmand work here and a payload
    /// mistakenly sent as the unique id is refused instead of kept as a key.</summary>
    public const int DefaultMaxUniqueBytes = 64;
    /// <summary>Defaults to 512 bytes, gearmand's limit on function names.</summary>
    public const int DefaultMaxFunctionNameBytes = 512;
    /// <summary>Defaults to one million jobs held in memory across all functions: far beyond any healthy backlog,
    /// and a bound on the memory a runaway producer can take (about a gigabyte of 1 KiB payloads).</summary>
    public const int DefaultMaxMemoryJobs = 1_000_000;
    /// <summary>Defaults to 64 MiB of responses waiting for one slow connection to read them; past that the
    /// connection is closed, so one stuck client cannot exhaust the server's memory.</summary>
    public const int DefaultMaxPendingOutputBytes = 64 * 1024 * 1024;
    /// <summary>Defaults to 60 seconds of lease for a durable job handed to a Gearman worker. Gearman workers never
    /// heartbeat: the server extends the lease while the worker stays connected, so this only bounds how long a
    /// job waits after the whole server died.</summary>
    public static readonly TimeSpan DefaultDurableLease = TimeSpan.FromSeconds(60);
    /// <summary>Defaults to at most 64 durable jobs leased per store round trip (16 per connected worker of the
    /// function): a busy durable function then costs one store transaction per batch rather than per job (measured:
    /// 5k -> 7k jobs/s on SQLite with 4 workers), while jobs leased ahead stay few enough that other servers and HTTP
    /// workers still find work. Jobs leased ahead go back to the store when the function's last worker leaves.</summary>
    public const int DefaultDurablePrefetch = 64;
    /// <summary>Defaults to 1 second before the first retry of a failed background job, doubling up to
    /// <see cref="DefaultRetryMaxDelay"/>.</summary>
    public static readonly TimeSpan DefaultRetryBaseDelay = TimeSpan.FromSeconds(1);
    /// <summary>Defaults to 5 minutes between retries at most.</summary>
    public static readonly TimeSpan DefaultRetryMaxDelay = TimeSpan.FromMinutes(5);

    /// <summary><c>HOST:PORT</c> (IPv6 in brackets), or <c>off</c>.</summary>
    public string Listen { get; set; } = DefaultListen;

    /// <summary>Whether admin commands that change state (cancel job, maxqueue, create/drop function, shutdown)
    /// are accepted. Set false when untrusted clients can reach the port.</summary>
    public bool AdminWrites { get; set; } = true;

    public int MaxUniqueBytes { get; set; } = DefaultMaxUniqueBytes;
    public int MaxFunctionNameBytes { get; set; } = DefaultMaxFunctionNameBytes;
    public int MaxPacketBytes { get; set; } = GearmanReadLimits.DefaultMaxPacketBytes;
    public int MaxAdminLineBytes { get; set; } = GearmanReadLimits.DefaultMaxAdminLineBytes;
    public int MaxMemoryJobs { get; set; } = DefaultMaxMemoryJobs;
    public int MaxPendingOutputBytes { get; set; } = DefaultMaxPendingOutputBytes;
    public TimeSpan DurableLease { get; set; } = DefaultDurableLease;
    public int DurablePrefetch { get; set; } = DefaultDurablePrefetch;
    public TimeSpan RetryBaseDelay { get; set; } = DefaultRetryBaseDelay;
    public TimeSpan RetryMaxDelay { get; set; } = DefaultRetryMaxDelay;

    /// <summary>Per-function settings by exact function name; functions not listed use the memory lane.</summary>
    public Dictionary<string, GearmanFunctionOptions> Functions { get; set; } = new(StringComparer.Ordinal);

    public bool Enabled => !string.Equals(Listen?.Trim(), Off, StringComparison.OrdinalIgnoreCase);

    public GearmanFunctionOptions For(string function) =>
        Functions.TryGetValue(function, out var options) ? options : GearmanFunctionOptions.Default;

    /// <summary>Every problem with these options, each naming its configuration key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Enabled && !GearmanEndpoint.TryParse(Listen, out _, out var why))
            errors.Add($"Gantry:Gearman:Listen: {why}");
        void Range(string key, long value, long min, long max)
        {
            if (value < min || value > max) errors.Add($"Gantry:Gearman:{key} must be between {min} and {max} (got {value}).");
        }
        Range("MaxUniqueBytes", MaxUniqueBytes, 1, 4096);
        Range("MaxFunctionNameBytes", MaxFunctionNameBytes, 1, 4096);
        Range("MaxPacketBytes", MaxPacketBytes, 1024, 256 * 1024 * 1024);
        Range("MaxAdminLineBytes", MaxAdminLineBytes, 16, 1024 * 1024);
        Range("MaxMemoryJobs", MaxMemoryJobs, 1, 100_000_000);
        Range("DurablePrefetch", DurablePrefetch, 1, 1000);
        Range("MaxPendingOutputBytes", MaxPendingOutputBytes, 64 * 1024, int.MaxValue);
        if (DurableLease < TimeSpan.FromSeconds(3) || DurableLease > TimeSpan.FromDays(1))
            errors.Add($"Gantry:Gearman:DurableLease must be between 3 seconds and 1 day (got {DurableLease}).");
        if (RetryBaseDelay < TimeSpan.Zero || RetryMaxDelay < RetryBaseDelay)
            errors.Add("Gantry:Gearman:RetryBaseDelay must be at least 0 and at most RetryMaxDelay.");
        foreach (var (name, function) in Functions)
        {
            if (function.Lane == GearmanLane.Durable && !QueueName.IsValid(name))
                errors.Add($"Gantry:Gearman:Functions:{name}: a durable function is a Gantry queue, and '{name}' is not a valid queue name " +
                           $"(1-{QueueName.MaxLength} letters, digits, '_', '.', ':' or '-').");
            if (function.Retries is < 0 or > 1000)
                errors.Add($"Gantry:Gearman:Functions:{name}:Retries must be between 0 and 1000 (got {function.Retries}).");
        }
        return errors;
    }
}

/// <summary>Where a function's background jobs live.</summary>
public enum GearmanLane
{
    /// <summary>In memory, as gearmand: fastest, lost when the server stops.</summary>
    Memory,
    /// <summary>In the Gantry store before JOB_CREATED is sent: survives restarts and is a Gantry queue of the same name.</summary>
    Durable,
}

/// <summary>Settings of one function: <c>Gantry:Gearman:Functions:&lt;name&gt;</c>.</summary>
public sealed class GearmanFunctionOptions
{
    internal static readonly GearmanFunctionOptions Default = new();

    public GearmanLane Lane { get; set; } = GearmanLane.Memory;

    /// <summary>How many times a failed background job is run again, with exponential backoff. Defaults to 0, as gearmand.</summary>
    public int Retries { get; set; }
}
