namespace Gantry.Protocol.Gearman;

/// <summary>
/// Size limits the reader enforces before it buffers anything, so one connection cannot make the server hold an
/// unbounded amount of memory (DESIGN.md: "sizes have configured limits"). Configuration: <c>Gantry:Gearman</c>.
/// Values are checked when set, so a bad configuration fails at start with the setting's name in the message.
/// </summary>
public sealed class GearmanReadLimits
{
    /// <summary>
    /// Defaults to 16 MiB of packet body: far above ordinary workloads and results (gearmand keeps jobs in memory
    /// too, so large payloads belong in storage with a reference in the job), yet small enough that a handful of
    /// hostile or broken connections cannot exhaust the server.
    /// </summary>
    public const int DefaultMaxPacketBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Defaults to 4096 bytes per admin text line: admin commands (<c>status</c>, <c>workers</c>,
    /// <c>maxqueue NAME 1 2 3</c>) are a word and a function name, so a longer line is a client speaking the wrong
    /// protocol, and refusing it early stops a peer from streaming bytes that never end in a newline.
    /// </summary>
    public const int DefaultMaxAdminLineBytes = 4096;

    /// <summary>The defaults, shared: the instance is immutable.</summary>
    public static readonly GearmanReadLimits Default = new();

    /// <summary>
    /// The largest body (bytes after the 12-byte header) accepted; the header of a larger packet is refused at once,
    /// without waiting for or buffering its body. Zero allows only empty bodies.
    /// </summary>
    public int MaxPacketBytes
    {
        get;
        init => field = value is >= 0 and <= MaxArrayBytes
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxPacketBytes), value,
                $"Gantry:Gearman:MaxPacketBytes must be between 0 and {MaxArrayBytes} bytes; got {value}.");
    } = DefaultMaxPacketBytes;

    /// <summary>The longest admin text line accepted, not counting the line ending (<c>"\n"</c> or <c>"\r\n"</c>).</summary>
    public int MaxAdminLineBytes
    {
        get;
        init => field = value is >= 1 and <= MaxArrayBytes
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxAdminLineBytes), value,
                $"Gantry:Gearman:MaxAdminLineBytes must be between 1 and {MaxArrayBytes} bytes; got {value}.");
    } = DefaultMaxAdminLineBytes;

    // The body is copied into one array, and the whole frame's length must fit an int with the header added.
    private const int MaxArrayBytes = 0x7FFFFFC7 - 12;
}
