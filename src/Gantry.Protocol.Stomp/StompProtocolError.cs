namespace Gantry.Protocol.Stomp;

/// <summary>
/// Why the reader gave up on a connection. <see cref="Code"/> is a stable token for metrics and tests
/// (<see cref="StompProtocolErrorCodes"/>); <see cref="Message"/> is one line for the ERROR frame's
/// <c>message</c> header and the server's log, so it says what was received, what was expected and, for a limit,
/// which one and its value. It never contains a line break, so it can go into a header unescaped.
/// </summary>
public readonly record struct StompProtocolError(string Code, string Message);

/// <summary>The codes the reader reports, named so that the server and tests do not repeat string literals.</summary>
public static class StompProtocolErrorCodes
{
    /// <summary>The first line is not one of the 15 commands (case-sensitive).</summary>
    public const string UnknownCommand = "UNKNOWN_COMMAND";

    /// <summary>A header line has no colon, an empty name, a stray CR, or bytes that are not UTF-8.</summary>
    public const string InvalidHeader = "INVALID_HEADER";

    /// <summary>A backslash followed by anything but <c>r n c \</c>, or by nothing; the specification makes it fatal.</summary>
    public const string InvalidEscape = "INVALID_ESCAPE";

    /// <summary>The first <c>content-length</c> header is not a decimal number of bytes.</summary>
    public const string InvalidContentLength = "INVALID_CONTENT_LENGTH";

    /// <summary>The byte after a <c>content-length</c> body is not the NUL that ends every frame.</summary>
    public const string MissingNul = "MISSING_NUL";

    /// <summary>The command line is longer than <see cref="StompReadLimits.MaxCommandBytes"/>.</summary>
    public const string CommandTooLong = "COMMAND_TOO_LONG";

    /// <summary>A header line is longer than <see cref="StompReadLimits.MaxHeaderLineBytes"/>.</summary>
    public const string HeaderLineTooLong = "HEADER_LINE_TOO_LONG";

    /// <summary>The command and header lines together are longer than <see cref="StompReadLimits.MaxHeaderBytes"/>.</summary>
    public const string HeadersTooLarge = "HEADERS_TOO_LARGE";

    /// <summary>The frame has more headers than <see cref="StompReadLimits.MaxHeaderCount"/>.</summary>
    public const string TooManyHeaders = "TOO_MANY_HEADERS";

    /// <summary>The body (announced or seen so far) is larger than <see cref="StompReadLimits.MaxBodyBytes"/>.</summary>
    public const string BodyTooLarge = "BODY_TOO_LARGE";
}
