namespace Gantry.Protocol.Stomp;

/// <summary>
/// One frame: command, headers in the order they were sent, and body. Headers are a list rather than a dictionary
/// because the specification keeps repeated headers (a broker may add a header a message already has) and says the
/// first one is the one that counts; lookups here follow that rule, and the list still shows every entry.
/// </summary>
/// <remarks>
/// The body is owned by the frame (the reader copies it out of the pipe buffer), so a frame can be kept, queued or
/// handed to another connection after the read buffer moves on. A frame read off the wire carries its
/// <c>content-length</c> header, if it had one, like any other header; the writer computes its own.
/// </remarks>
public sealed class StompFrame
{
    /// <summary>Wraps the headers and body without copying them; the caller must not change them afterwards.</summary>
    public StompFrame(StompCommand command, IReadOnlyList<StompHeader>? headers = null, ReadOnlyMemory<byte> body = default)
    {
        if (!Enum.IsDefined(command))
            throw new ArgumentOutOfRangeException(nameof(command), (int)command, $"{(int)command} is not a STOMP command.");
        Command = command;
        Headers = headers ?? [];
        Body = body;
    }

    public StompCommand Command { get; }

    /// <summary>Every header in arrival order, repeats included.</summary>
    public IReadOnlyList<StompHeader> Headers { get; }

    /// <summary>The body bytes (empty when the frame had none).</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The value of the first header called <paramref name="name"/> (case-sensitive), or null.</summary>
    public string? this[string name] => TryGetHeader(name, out var value) ? value : null;

    /// <summary>The first header called <paramref name="name"/> wins, as the specification requires.</summary>
    public bool TryGetHeader(string name, out string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var header in Headers)
        {
            if (string.Equals(header.Name, name, StringComparison.Ordinal))
            {
                value = header.Value;
                return true;
            }
        }
        value = "";
        return false;
    }

    /// <summary>For logs and test failures: command, header count and body size, never the body (it may be large or private).</summary>
    public override string ToString() =>
        $"{StompCommands.Name(Command)} ({Headers.Count} header(s), {Body.Length} body bytes)";
}
