namespace Gantry.Protocol.Gearman;

/// <summary>
/// Why the reader gave up on a connection. <see cref="Code"/> is a stable token for the ERROR packet's first field
/// and for metrics (<see cref="GearmanProtocolErrorCodes"/>); <see cref="Message"/> is for the person reading the
/// client's log or the server's, so it says what was received, what was expected and which setting governs it.
/// </summary>
public readonly record struct GearmanProtocolError(string Code, string Message);

/// <summary>The codes the reader reports, named so that the server and tests do not repeat string literals.</summary>
public static class GearmanProtocolErrorCodes
{
    /// <summary>The frame starts with a NUL (so it is binary) but the next bytes are not <c>"REQ"</c> or <c>"RES"</c>.</summary>
    public const string InvalidMagic = "INVALID_MAGIC";

    /// <summary>The type number is 0, 5 (never used) or above <see cref="GearmanPacketTypes.MaxKnownType"/>.</summary>
    public const string InvalidCommand = "INVALID_COMMAND";

    /// <summary>The header announces a body larger than <see cref="GearmanReadLimits.MaxPacketBytes"/>.</summary>
    public const string PacketTooLarge = "PACKET_TOO_LARGE";

    /// <summary>The body has fewer NUL separators than its type needs.</summary>
    public const string InvalidPacket = "INVALID_PACKET";

    /// <summary>An admin text line runs past <see cref="GearmanReadLimits.MaxAdminLineBytes"/> without ending.</summary>
    public const string LineTooLong = "LINE_TOO_LONG";
}
