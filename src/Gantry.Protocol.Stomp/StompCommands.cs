using System.Text;

namespace Gantry.Protocol.Stomp;

/// <summary>
/// The wire names of the commands, and the rule of which frames escape their headers. Commands are matched byte for
/// byte and case-sensitively, as the specification spells them: a client sending <c>send</c> is not speaking STOMP.
/// </summary>
public static class StompCommands
{
    /// <summary>The longest command name (<c>UNSUBSCRIBE</c>), so limits can be checked against it.</summary>
    public const int LongestNameBytes = 11;

    private static readonly string[] Names =
    [
        "CONNECT", "STOMP", "CONNECTED", "SEND", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK", "BEGIN", "COMMIT", "ABORT",
        "DISCONNECT", "MESSAGE", "RECEIPT", "ERROR",
    ];

    // Pre-encoded once: the writer copies these and the reader compares against them without decoding the line.
    private static readonly byte[][] Utf8Names = Names.Select(Encoding.ASCII.GetBytes).ToArray();

    /// <summary>The command as it is written on the wire, for example <c>SEND</c>.</summary>
    public static string Name(StompCommand command) => Names[Index(command)];

    /// <summary>The command's wire name as ASCII bytes.</summary>
    public static ReadOnlySpan<byte> NameBytes(StompCommand command) => Utf8Names[Index(command)];

    /// <summary>Whether <paramref name="name"/> (the bytes of a command line, line ending removed) is a command.</summary>
    public static bool TryParse(ReadOnlySpan<byte> name, out StompCommand command)
    {
        for (var i = 0; i < Utf8Names.Length; i++)
        {
            if (name.SequenceEqual(Utf8Names[i]))
            {
                command = (StompCommand)i;
                return true;
            }
        }
        command = default;
        return false;
    }

    /// <summary>
    /// Whether the frame's header names and values use the <c>\r \n \c \\</c> escapes. The specification exempts
    /// CONNECT and CONNECTED so that a 1.0 peer, which knows no escapes, can still negotiate: a backslash in a
    /// passcode must arrive as a backslash.
    /// </summary>
    public static bool EscapesHeaders(StompCommand command) =>
        command is not (StompCommand.Connect or StompCommand.Connected);

    private static int Index(StompCommand command) =>
        (uint)command < (uint)Names.Length
            ? (int)command
            : throw new ArgumentOutOfRangeException(nameof(command), (int)command, $"{(int)command} is not a STOMP command.");
}
