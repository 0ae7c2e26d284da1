namespace Gantry.Protocol.Stomp;

/// <summary>
/// Size limits the reader enforces from the bytes that have arrived so far, before it buffers any more, so one
/// connection cannot make the server hold an unbounded amount of memory (DESIGN.md: "sizes have configured limits").
/// Configuration: <c>Gantry:Stomp</c>. Values are checked when set, so a bad configuration fails at start with the
/// setting's name in the message. Each limit has its own error code and its message names the setting and value.
/// </summary>
public sealed class StompReadLimits
{
    /// <summary>
    /// Defaults to 32 bytes per command line: the longest command (<c>UNSUBSCRIBE</c>) is 11, so anything longer is
    /// not STOMP, and refusing it within a few bytes tells a peer speaking another protocol (HTTP, TLS) at once.
    /// </summary>
    public const int DefaultMaxCommandBytes = 32;

    /// <summary>
    /// Defaults to 8 KiB per header line (name, colon and value, line ending not counted): room for a bearer token
    /// as a passcode or a long selector, while a line that never ends is cut off early.
    /// </summary>
    public const int DefaultMaxHeaderLineBytes = 8 * 1024;

    /// <summary>
    /// Defaults to 64 KiB for the command and header lines together, line endings included: eight maximal lines,
    /// far beyond what stompjs or RabbitMQ's clients send, and a bound on what a frame's headers can cost.
    /// </summary>
    public const int DefaultMaxHeaderBytes = 64 * 1024;

    /// <summary>
    /// Defaults to 128 headers per frame: clients send a handful plus application headers; more is a peer trying to
    /// make the server allocate a long list of small strings.
    /// </summary>
    public const int DefaultMaxHeaderCount = 128;

    /// <summary>
    /// Defaults to 16 MiB of body, the same as the Gearman front's packets: far above ordinary messages (large
    /// payloads belong in storage with a reference in the message), small enough that a few hostile connections
    /// cannot exhaust the server. A <c>content-length</c> above it is refused from the header, before the body.
    /// </summary>
    public const int DefaultMaxBodyBytes = 16 * 1024 * 1024;

    /// <summary>The defaults, shared: the instance is immutable.</summary>
    public static readonly StompReadLimits Default = new();

    /// <summary>The longest command line accepted, line ending not counted; at least the longest command's 11 bytes.</summary>
    public int MaxCommandBytes
    {
        get;
        init => field = Check(nameof(MaxCommandBytes), value, StompCommands.LongestNameBytes);
    } = DefaultMaxCommandBytes;

    /// <summary>The longest header line accepted, line ending not counted.</summary>
    public int MaxHeaderLineBytes
    {
        get;
        init => field = Check(nameof(MaxHeaderLineBytes), value, 1);
    } = DefaultMaxHeaderLineBytes;

    /// <summary>The most bytes the command line, the header lines and the blank line after them may take together.</summary>
    public int MaxHeaderBytes
    {
        get;
        init => field = Check(nameof(MaxHeaderBytes), value, StompCommands.LongestNameBytes + 2);
    } = DefaultMaxHeaderBytes;

    /// <summary>The most header lines a frame may have, repeats included. Zero allows frames without headers only.</summary>
    public int MaxHeaderCount
    {
        get;
        init => field = Check(nameof(MaxHeaderCount), value, 0);
    } = DefaultMaxHeaderCount;

    /// <summary>The largest body accepted, in bytes, with or without <c>content-length</c>. Zero allows only empty bodies.</summary>
    public int MaxBodyBytes
    {
        get;
        init => field = Check(nameof(MaxBodyBytes), value, 0);
    } = DefaultMaxBodyBytes;

    // The body is copied into one array, and windows add a few bytes of line ending and NUL to these values.
    private const int MaxValue = 0x7FFFFFC7 - 16;

    private static int Check(string name, int value, int min) =>
        value >= min && value <= MaxValue
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"Gantry:Stomp:{name} must be between {min} and {MaxValue}; got {value}.");
}
