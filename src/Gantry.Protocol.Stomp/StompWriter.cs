using System.Buffers;
using System.Buffers.Text;

namespace Gantry.Protocol.Stomp;

/// <summary>
/// Writes STOMP frames and heart-beats straight into the connection's output buffer, with no intermediate string or
/// array: header text is UTF-8 encoded (and escaped) into the span the output hands out.
/// </summary>
/// <remarks>
/// <para>Lines end in LF only: every peer must accept it, and it is one byte shorter than CR LF.</para>
/// <para><c>content-length</c> belongs to the writer. It writes one for every non-empty body, whatever the command,
/// so a MESSAGE always has one and a body may hold NULs; a <c>content-length</c> among the caller's headers is
/// dropped, since a wrong one would desynchronise the peer. With <c>contentLengthWhenEmpty</c> it also writes
/// <c>content-length:0</c> for an empty body, for peers that want it on every frame.</para>
/// <para>Headers are escaped (<c>\r \n \c \\</c>) in every frame but CONNECT and CONNECTED, which the specification
/// leaves unescaped; there a name or value that cannot be written as is (a line break, or a colon in a name) is
/// refused with <see cref="ArgumentException"/> instead of being sent broken.</para>
/// </remarks>
public static class StompWriter
{
    /// <summary>
    /// Defaults to 4 KiB: a frame up to this size is written with one <see cref="IBufferWriter{T}.GetSpan"/> and one
    /// <see cref="IBufferWriter{T}.Advance"/>, the size of a pipe's default segment; a larger body is copied in the
    /// spans the output offers, so a 16 MiB MESSAGE does not ask the pipe for one 16 MiB block.
    /// </summary>
    public const int SingleSpanFrameBytes = 4096;

    private static ReadOnlySpan<byte> ContentLengthPrefix => "content-length:"u8;

    /// <summary>Writes <paramref name="frame"/>.</summary>
    public static void Write(IBufferWriter<byte> output, StompFrame frame, bool escapeHeaders = true, bool contentLengthWhenEmpty = false)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var headers = frame.Headers as StompHeader[] ?? frame.Headers.ToArray();
        Write(output, frame.Command, headers, frame.Body.Span, escapeHeaders, contentLengthWhenEmpty);
    }

    /// <summary>
    /// Writes one frame. <paramref name="escapeHeaders"/> false is for a session that negotiated 1.0, which has no
    /// escapes; then the CONNECT rules (nothing that needs escaping) apply to every frame.
    /// </summary>
    public static void Write(IBufferWriter<byte> output, StompCommand command, ReadOnlySpan<StompHeader> headers,
        ReadOnlySpan<byte> body, bool escapeHeaders = true, bool contentLengthWhenEmpty = false)
    {
        ArgumentNullException.ThrowIfNull(output);
        var escape = escapeHeaders && StompCommands.EscapesHeaders(command);
        var name = StompCommands.NameBytes(command);

        long head = name.Length + 1L;
        foreach (var header in headers)
        {
            if (IsContentLength(header)) continue;
            Check(header, escape, command, nameof(headers));
            head += StompHeaderEscaping.EncodedLength(header.Name, escape) + 1L
                + StompHeaderEscaping.EncodedLength(header.Value, escape) + 1L;
        }
        var writeLength = body.Length > 0 || contentLengthWhenEmpty;
        if (writeLength) head += ContentLengthPrefix.Length + Digits(body.Length) + 1;
        head += 1; // the blank line
        var total = head + body.Length + 1;
        if (total > int.MaxValue) throw new ArgumentException("The frame would be larger than 2 GiB.", nameof(headers));

        var single = total <= SingleSpanFrameBytes;
        var span = output.GetSpan(single ? (int)total : (int)head);
        var at = 0;
        name.CopyTo(span);
        at += name.Length;
        span[at++] = (byte)'\n';
        foreach (var header in headers)
        {
            if (IsContentLength(header)) continue;
            at += StompHeaderEscaping.Encode(header.Name, span[at..], escape);
            span[at++] = (byte)':';
            at += StompHeaderEscaping.Encode(header.Value, span[at..], escape);
            span[at++] = (byte)'\n';
        }
        if (writeLength)
        {
            ContentLengthPrefix.CopyTo(span[at..]);
            at += ContentLengthPrefix.Length;
            Utf8Formatter.TryFormat(body.Length, span[at..], out var digits);
            at += digits;
            span[at++] = (byte)'\n';
        }
        span[at++] = (byte)'\n';

        if (single)
        {
            body.CopyTo(span[at..]);
            at += body.Length;
            span[at++] = 0;
            output.Advance(at);
            return;
        }

        output.Advance(at);
        while (!body.IsEmpty)
        {
            var chunk = output.GetSpan();
            var count = Math.Min(chunk.Length, body.Length);
            body[..count].CopyTo(chunk);
            output.Advance(count);
            body = body[count..];
        }
        output.GetSpan(1)[0] = 0;
        output.Advance(1);
    }

    /// <summary>One heart-beat: a lone LF, the shortest thing that proves the connection is alive.</summary>
    public static void WriteHeartBeat(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
    }

    /// <summary>A whole frame as a new array, for tests and tools; servers should write into their output instead.</summary>
    public static byte[] ToArray(StompFrame frame, bool escapeHeaders = true, bool contentLengthWhenEmpty = false)
    {
        var output = new ArrayBufferWriter<byte>();
        Write(output, frame, escapeHeaders, contentLengthWhenEmpty);
        return output.WrittenSpan.ToArray();
    }

    private static bool IsContentLength(StompHeader header) =>
        string.Equals(header.Name, StompHeaderNames.ContentLength, StringComparison.Ordinal);

    private static void Check(StompHeader header, bool escape, StompCommand command, string paramName)
    {
        if (header.Name is null || header.Value is null)
            throw new ArgumentException("A STOMP header needs a name and a value (empty, not null).", paramName);
        if (header.Name.Length == 0)
            throw new ArgumentException("A STOMP header name cannot be empty.", paramName);
        if (escape) return;
        if (header.Name.AsSpan().IndexOfAny('\r', '\n', ':') >= 0 || header.Value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new ArgumentException(
                $"Header \"{header.Name}\" of a {StompCommands.Name(command)} frame is written unescaped, so its name cannot hold CR, LF or a colon and its value cannot hold CR or LF.",
                paramName);
    }

    private static int Digits(int value)
    {
        var digits = 1;
        for (; value >= 10; value /= 10) digits++;
        return digits;
    }
}
