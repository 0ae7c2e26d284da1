using Gantry.Core.Options;
using Gantry.Protocol.Stomp;

namespace Gantry.Stomp;

/// <summary>The STOMP front, bound from <c>Gantry:Stomp</c> (env <c>GANTRY_STOMP__…</c>, flag <c>--stomp</c>).</summary>
public sealed class StompOptions : ISelfValidatingOptions
{
    /// <summary>61613, the port STOMP brokers (RabbitMQ's plugin, ActiveMQ, Artemis) listen on, so clients find Gantry
    /// where they look by default.</summary>
    public const int DefaultPort = 61613;

    /// <summary>Defaults to STOMP's usual port on loopback only: nothing is reachable from the network unless configured.</summary>
    public const string DefaultListen = "127.0.0.1:61613";

    /// <summary>The <see cref="Listen"/> value that turns the STOMP front off.</summary>
    public const string Off = "off";

    /// <summary>Defaults to 10 seconds: the smallest interval at which the server offers to send heart-beats. Often
    /// enough that a client notices a dead server within seconds, rare enough that idle connections cost nothing; a
    /// client asking for beats less often gets them at its own interval.</summary>
    public static readonly TimeSpan DefaultHeartBeatSend = TimeSpan.FromSeconds(10);

    /// <summary>Defaults to 10 seconds: the interval at which the server wants to hear from a client that offers
    /// heart-beats (a client that offers none is never timed out, as the specification says).</summary>
    public static readonly TimeSpan DefaultHeartBeatReceive = TimeSpan.FromSeconds(10);

    /// <summary>Defaults to 30 seconds of silence tolerated beyond the negotiated interval before a client is taken
    /// for dead: browsers throttle timers in background tabs (stompjs issue 335) and a busy network delays beats, so a
    /// live client that is late must not be cut off, while a dead one is still freed within a minute.</summary>
    public static readonly TimeSpan DefaultHeartBeatGrace = TimeSpan.FromSeconds(30);

    /// <summary>Defaults to 100 subscriptions per connection: a chat page follows a few rooms, a service a few topics;
    /// past that a client is more likely leaking subscriptions than needing them, and each costs a live buffer.</summary>
    public const int DefaultMaxSubscriptions = 100;

    /// <summary>Defaults to 30 seconds for a new connection to send its CONNECT: a client that connects and says
    /// nothing is stuck or probing, and holds a socket until then.</summary>
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(30);

    /// <summary><c>HOST:PORT</c> (IPv6 in brackets), or <c>off</c>.</summary>
    public string Listen { get; set; } = DefaultListen;

    /// <summary>The server's own heart-beat offer: how often it can send (the first number of CONNECTED's header).</summary>
    public TimeSpan HeartBeatSend { get; set; } = DefaultHeartBeatSend;

    /// <summary>How often the server wants to hear from the client (the second number); zero asks for no beats.</summary>
    public TimeSpan HeartBeatReceive { get; set; } = DefaultHeartBeatReceive;

    /// <summary>Silence tolerated beyond the client's negotiated interval before its connection is closed.</summary>
    public TimeSpan HeartBeatGrace { get; set; } = DefaultHeartBeatGrace;

    public int MaxSubscriptions { get; set; } = DefaultMaxSubscriptions;

    public TimeSpan ConnectTimeout { get; set; } = DefaultConnectTimeout;

    public int MaxCommandBytes { get; set; } = StompReadLimits.DefaultMaxCommandBytes;
    public int MaxHeaderLineBytes { get; set; } = StompReadLimits.DefaultMaxHeaderLineBytes;
    public int MaxHeaderBytes { get; set; } = StompReadLimits.DefaultMaxHeaderBytes;
    public int MaxHeaderCount { get; set; } = StompReadLimits.DefaultMaxHeaderCount;
    public int MaxBodyBytes { get; set; } = StompReadLimits.DefaultMaxBodyBytes;

    public bool Enabled => !string.Equals(Listen?.Trim(), Off, StringComparison.OrdinalIgnoreCase);

    /// <summary>The codec's limits from these settings (valid once <see cref="Validate"/> found nothing).</summary>
    internal StompReadLimits ReadLimits() => new()
    {
        MaxCommandBytes = MaxCommandBytes,
        MaxHeaderLineBytes = MaxHeaderLineBytes,
        MaxHeaderBytes = MaxHeaderBytes,
        MaxHeaderCount = MaxHeaderCount,
        MaxBodyBytes = MaxBodyBytes,
    };

    /// <summary>The server's <c>heart-beat</c> header, in whole milliseconds.</summary>
    internal StompHeartBeat HeartBeat => new((int)HeartBeatSend.TotalMilliseconds, (int)HeartBeatReceive.TotalMilliseconds);

    /// <summary>Every problem with these options, each naming its configuration key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Enabled && !ListenEndpoint.TryParse(Listen, DefaultPort, out _, out var why))
            errors.Add($"Gantry:Stomp:Listen: {why}");
        void Span(string key, TimeSpan value, TimeSpan min, TimeSpan max)
        {
            if (value < min || value > max)
                errors.Add($"Gantry:Stomp:{key} must be between {min.TotalSeconds:0.###} and {max.TotalSeconds:0.###} seconds (got {value.TotalSeconds:0.###}).");
        }
        // Zero means "none" for the heart-beats; an hour is far beyond any client's patience.
        Span("HeartBeatSend", HeartBeatSend, TimeSpan.Zero, TimeSpan.FromHours(1));
        Span("HeartBeatReceive", HeartBeatReceive, TimeSpan.Zero, TimeSpan.FromHours(1));
        Span("HeartBeatGrace", HeartBeatGrace, TimeSpan.Zero, TimeSpan.FromHours(1));
        Span("ConnectTimeout", ConnectTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        if (MaxSubscriptions is < 1 or > 100_000)
            errors.Add($"Gantry:Stomp:MaxSubscriptions must be between 1 and 100000 (got {MaxSubscriptions}).");
        try
        {
            _ = ReadLimits();
        }
        catch (ArgumentOutOfRangeException e)
        {
            // The codec names the setting (Gantry:Stomp:...) and its range itself.
            errors.Add(e.Message.Split(Environment.NewLine)[0]);
        }
        return errors;
    }
}
