using System.Net;

namespace Gantry.Gearman;

/// <summary>One Gearman connection: a client, a worker, an admin tool, or several at once. Guarded by the job server's lock.</summary>
internal sealed class GearmanSession(long id, string host, GearmanOutbox output)
{
    public long Id { get; } = id;
    /// <summary>The peer's address, for gearadmin's workers list.</summary>
    public string Host { get; } = host;
    public GearmanOutbox Out { get; } = output;
    public string ClientId { get; set; } = "-";
    /// <summary>OPTION_REQ "exceptions": this client wants WORK_EXCEPTION packets.</summary>
    public bool Exceptions { get; set; }
    public readonly List<Ability> Abilities = [];
    /// <summary>The names of <see cref="Abilities"/>, kept in step with it: every grab asks the memory lane about them.</summary>
    public string[] AbilityNames { get; private set; } = [];

    /// <summary>Call after changing <see cref="Abilities"/>.</summary>
    public void AbilitiesChanged() => AbilityNames = Abilities.Select(a => a.Function.Name).ToArray();
    /// <summary>Sent PRE_SLEEP and has not been woken with NOOP since.</summary>
    public bool Sleeping { get; set; }
    /// <summary>Jobs this worker holds (real workers hold one at a time; the protocol allows more).</summary>
    public readonly List<GearmanJob> Assigned = [];
    /// <summary>Foreground jobs this client waits for.</summary>
    public readonly List<GearmanJob> Waiting = [];
    public bool Closed { get; set; }
    /// <summary>The sum of its durable functions' wake generations when this worker last looked for work.</summary>
    public long GrabGeneration { get; set; }
    /// <summary>Where the next durable grab starts among this worker's durable functions, so none starves.</summary>
    public int DurableCursor { get; set; }

    private byte[]? _lastName;
    private string? _lastFunction;

    /// <summary>The function name as a string; a connection usually names one function over and over, so the last one
    /// is kept and no string is made per packet. Only the connection's own reader calls this.</summary>
    public string FunctionName(ReadOnlySpan<byte> raw)
    {
        if (_lastName is not null && raw.SequenceEqual(_lastName)) return _lastFunction!;
        _lastName = raw.ToArray();
        return _lastFunction = System.Text.Encoding.UTF8.GetString(raw);
    }

    public static string Describe(EndPoint? endpoint) => endpoint switch
    {
        IPEndPoint ip => ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4().ToString() : ip.Address.ToString(),
        null => "-",
        _ => endpoint.ToString() ?? "-",
    };
}

/// <summary>A function a worker can do, with the CAN_DO_TIMEOUT limit (zero: none).</summary>
internal readonly record struct Ability(GearmanFunction Function, TimeSpan Timeout);
