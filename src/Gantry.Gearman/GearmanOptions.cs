using Gantry.Core.Queues;
using Gantry.Protocol.Gearman;

namespace Gantry.Gearman;

/// <summary>The Gearman front, bound from <c>Gantry:Gearman</c> (env <c>GANTRY_GEARMAN__…</c>).</summary>
public sealed class GearmanOptions : Core.Options.ISelfValidatingOptions
{
    /// <summary>Defaults to Gearman's IANA port on loopback only: nothing is reachable from the network unless configured.</summary>
    public const string DefaultListen = GearmanPorts.DefaultLoopback;
    /// <summary>The <see cref="Listen"/> value that turns the Gearman front off.</summary>
    public const string Off = "off";
    /// <summary>Defaults to 64 bytes, gearmand's limit, so clients that work with gearmand work here and a payload
    /// mistakenly sent as the unique id is refused instead of kept as a key.</summary>
    public const int DefaultMaxUniqueBytes = 64;
    /// <summary>Defaults to 512 bytes, gearmand's limit on function names.</summary>
    public const int DefaultMaxFunctionNameBytes = 512;
    /// <summary>Defaults to 10,000 function names known at once (with a worker, a job, or a maxqueue limit). A function
    /// with none of these is forgotten, so names used once cost nothing; past the limit a new name is refused with an
    /// ERROR, so one client cannot fill the server's memory with names.</summary>
    public const int DefaultMaxFunctions = 10_000;
    /// <summary>Defaults to 64 MiB of responses waiting for one slow connection to read them; past that the
    /// connection is closed, so one stuck client cannot exhaust the server's memory.</summary>
    public const int DefaultMaxPendingOutputBytes = 64 * 1024 * 1024;
    /// <summary>Defaults to 60 seconds of lease for a job handed to a Gearman worker. Gearman workers never heartbeat:
    /// the server extends the lease while the worker stays connected, so this only bounds how long a durable job waits
    /// after the whole server died (and how long a memory job stays leased if extensions stopped).</summary>
    public static readonly TimeSpan DefaultWorkerLease = TimeSpan.FromSeconds(60);
    /// <summary>Defaults to at most 64 durable jobs leased per store round trip (16 per connected worker of the
    /// function): a busy durable function then costs one store transaction per batch rather than per job (measured:
    /// 5k -> 7k jobs/s on SQLite with 4 workers), while jobs leased ahead stay few enough that other servers and HTTP
    /// workers still find work. Jobs leased ahead go back to the store when the function's last worker leaves.</summary>
    public const int DefaultDurablePrefetch = 64;
    /// <summary>Defaults to <c>auto</c>: a CAN_DO_TIMEOUT below 1000 is seconds (what Perl's Gearman::Worker, PHP's
    /// net_gearman and every client written for gearmand before 1.1.19 send), 1000 and above is milliseconds (what
    /// gearmand 1.1.19+ and libgearman mean; gearmand floors at 1000 ms, so they never mean less). Either kind of
    /// worker then gets the limit it asked for; see <see cref="GearmanCanDoTimeout"/>.</summary>
    public const string DefaultCanDoTimeoutUnit = "auto";
    /// <summary>Defaults to 30 seconds without a byte while part of a packet has arrived: a healthy client sends a packet
    /// without pausing (even 16 MiB over a slow link keeps bytes coming), so a connection silent that long mid-packet is
    /// stuck or hostile, and its buffer is freed. Kestrel waits as long for an HTTP request's headers. Connections idle
    /// between packets are never closed: Gearman workers wait for hours.</summary>
    public static readonly TimeSpan DefaultPartialPacketTimeout = TimeSpan.FromSeconds(30);
    /// <summary>Defaults to 256 MiB held in partly received packets across all connections: sixteen packets of the
    /// largest size (<see cref="GearmanReadLimits.DefaultMaxPacketBytes"/>) arriving at once, while a crowd of clients
    /// declaring large packets and sending them slowly cannot take more. A connection whose packet would take the total
    /// past this is sent an ERROR and closed.</summary>
    public const long DefaultMaxBufferedBytes = 256L * 1024 * 1024;
    /// <summary><c>HOST:PORT</c> (IPv6 in brackets), or <c>off</c>.</summary>
    public string Listen { get; set; } = DefaultListen;

    /// <summary>Whether admin commands that change state (cancel job, maxqueue, create/drop function, shutdown)
    /// are accepted. Set false when untrusted clients can reach the port.</summary>
    public bool AdminWrites { get; set; } = true;

    public int MaxUniqueBytes { get; set; } = DefaultMaxUniqueBytes;
    public int MaxFunctionNameBytes { get; set; } = DefaultMaxFunctionNameBytes;
    public int MaxPacketBytes { get; set; } = GearmanReadLimits.DefaultMaxPacketBytes;
    public int MaxAdminLineBytes { get; set; } = GearmanReadLimits.DefaultMaxAdminLineBytes;
    public int MaxFunctions { get; set; } = DefaultMaxFunctions;
    public int MaxPendingOutputBytes { get; set; } = DefaultMaxPendingOutputBytes;
    public TimeSpan WorkerLease { get; set; } = DefaultWorkerLease;
    public int DurablePrefetch { get; set; } = DefaultDurablePrefetch;

    /// <summary><c>auto</c>, <c>seconds</c> or <c>milliseconds</c>: how the number in a worker's CAN_DO_TIMEOUT is read.</summary>
    public string CanDoTimeoutUnit { get; set; } = DefaultCanDoTimeoutUnit;

    /// <summary>How long a connection may stay silent with part of a packet sent before it is closed.</summary>
    public TimeSpan PartialPacketTimeout { get; set; } = DefaultPartialPacketTimeout;

    /// <summary>The most bytes held in partly received packets, across all connections.</summary>
    public long MaxBufferedBytes { get; set; } = DefaultMaxBufferedBytes;

    /// <summary><see cref="CanDoTimeoutUnit"/> as the codec takes it (auto when the setting is not valid: validation refused it).</summary>
    internal GearmanTimeoutUnit TimeoutUnit => GearmanCanDoTimeout.TryParseUnit(CanDoTimeoutUnit, out var unit) ? unit : GearmanTimeoutUnit.Auto;

    /// <summary>Per-function settings by exact function name. A function's lane is its queue's lane when one is set
    /// (<c>Gantry:Queues:NAME:Lane</c>, <c>PUT /api/queues/NAME</c>), else the one given here, else memory (gearmand's).</summary>
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
        Range("MaxFunctions", MaxFunctions, 1, 10_000_000);
        Range("DurablePrefetch", DurablePrefetch, 1, 1000);
        Range("MaxPendingOutputBytes", MaxPendingOutputBytes, 64 * 1024, int.MaxValue);
        if (!GearmanCanDoTimeout.TryParseUnit(CanDoTimeoutUnit, out _))
            errors.Add($"Gantry:Gearman:CanDoTimeoutUnit must be 'auto', 'seconds' or 'milliseconds' (got '{CanDoTimeoutUnit}').");
        if (PartialPacketTimeout < TimeSpan.FromSeconds(1) || PartialPacketTimeout > TimeSpan.FromDays(1))
            errors.Add($"Gantry:Gearman:PartialPacketTimeout must be between 1 and 86400 seconds (got {PartialPacketTimeout.TotalSeconds:0.###}).");
        if (MaxBufferedBytes < MaxPacketBytes + GearmanWriter.HeaderLength)
            errors.Add($"Gantry:Gearman:MaxBufferedBytes must be at least Gantry:Gearman:MaxPacketBytes plus its 12-byte header " +
                       $"({MaxPacketBytes + GearmanWriter.HeaderLength}), so that one packet of the largest size can arrive (got {MaxBufferedBytes}).");
        if (WorkerLease < TimeSpan.FromSeconds(3) || WorkerLease > TimeSpan.FromDays(1))
            errors.Add($"Gantry:Gearman:WorkerLease must be between 3 and 86400 seconds (got {WorkerLease.TotalSeconds:0.###}).");
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

    /// <summary>How many times a failed background job is run again, with the queues' backoff (<c>Gantry:Retry</c>).
    /// Defaults to 0, as gearmand.</summary>
    public int Retries { get; set; }
}
