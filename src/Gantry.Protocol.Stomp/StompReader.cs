using System.Buffers;
using System.Globalization;
using System.Text;

namespace Gantry.Protocol.Stomp;

/// <summary>
/// Frames the byte stream of one STOMP connection, Kestrel style: <see cref="TryRead"/> works on a
/// <see cref="ReadOnlySequence{T}"/> (any number of segments), does no I/O and never throws, whatever the bytes are.
/// One reader per connection: it remembers how far it got into a frame that has not fully arrived, so a large
/// frame trickling in costs one pass over its bytes rather than one pass per read.
/// </summary>
/// <remarks>
/// <para>Contract, the one a pipe gives for free: after <see cref="StompReadStatus.Incomplete"/>, call again with a
/// buffer that starts at the same byte (the unconsumed data plus whatever arrived). To read unrelated input, call
/// <see cref="Reset"/> first. A frame split at any byte position, in any number of segments and calls, reads the
/// same, and an error is the same error wherever the input was split: every limit is checked over a window whose
/// end depends only on bytes already parsed, never on how many happened to arrive.</para>
/// <para>Leniencies, each deliberate: a colon inside a header value is taken as part of the value (the first colon
/// separates, so nothing is ambiguous, and CONNECT passcodes carry raw colons); a frame may be preceded by any
/// number of EOLs, each reported as a heart-beat. Strictness, also deliberate: an unknown escape is fatal, as the
/// specification says (RabbitMQ lets it through), and header text must be UTF-8.</para>
/// </remarks>
public sealed class StompReader
{
    private const byte Lf = (byte)'\n';
    private const byte Cr = (byte)'\r';

    private readonly List<StompHeader> _headers = [];
    private StompCommand? _command;
    private bool _headersDone;
    private long _lineStart;     // where the next header line starts, or the body once the headers are done
    private long _scannedTo;     // bytes before this offset are known to hold no LF (headers) or NUL (body)
    private long _contentLength; // -1: none, the body ends at the first NUL

    public StompReader(StompReadLimits? limits = null) => Limits = limits ?? StompReadLimits.Default;

    public StompReadLimits Limits { get; }

    /// <summary>
    /// Whether header escapes are decoded in frames other than CONNECT and CONNECTED. True for 1.1 and 1.2; a server
    /// that negotiated 1.0, which has no escapes, sets it to false so a backslash arrives as a backslash.
    /// </summary>
    public bool DecodeEscapes { get; set; } = true;

    /// <summary>Forgets a partly read frame, so the next call may start on unrelated bytes.</summary>
    public void Reset()
    {
        _headers.Clear();
        _command = null;
        _headersDone = false;
        _lineStart = 0;
        _scannedTo = 0;
        _contentLength = -1;
    }

    /// <summary>
    /// Reads what is at the start of <paramref name="buffer"/>.
    /// <list type="bullet">
    /// <item><see cref="StompReadStatus.Frame"/> / <see cref="StompReadStatus.HeartBeat"/>: <paramref name="buffer"/> is
    /// advanced past it; call again, more may follow in the same buffer.</item>
    /// <item><see cref="StompReadStatus.Incomplete"/>: <paramref name="buffer"/> is unchanged; a pipe reader marks it all
    /// examined (<c>AdvanceTo(buffer.Start, buffer.End)</c>) and waits for more.</item>
    /// <item><see cref="StompReadStatus.Error"/>: <paramref name="buffer"/> is unchanged; send an ERROR frame whose
    /// <c>message</c> is <paramref name="error"/>'s message, and close: STOMP has no way to resynchronise.</item>
    /// </list>
    /// </summary>
    public StompReadStatus TryRead(ref ReadOnlySequence<byte> buffer, out StompFrame? frame, out StompProtocolError error)
    {
        frame = null;
        error = default;
        // A shorter buffer than the one the saved progress came from breaks the contract; start over rather than
        // trust offsets that point past the data.
        if (buffer.Length < _lineStart) Reset();

        if (_command is null)
        {
            if (buffer.IsEmpty) return StompReadStatus.Incomplete;
            var first = ByteAt(buffer, 0);
            if (first == Lf)
            {
                buffer = buffer.Slice(1);
                return StompReadStatus.HeartBeat;
            }
            if (first == Cr)
            {
                if (buffer.Length < 2) return StompReadStatus.Incomplete;
                if (ByteAt(buffer, 1) == Lf)
                {
                    buffer = buffer.Slice(2);
                    return StompReadStatus.HeartBeat;
                }
                // A CR that does not end a line starts a command line, which will not be a command.
            }
        }

        var status = ReadFrame(buffer, out frame, out error, out var consumed);
        if (status == StompReadStatus.Frame) buffer = buffer.Slice(consumed);
        if (status != StompReadStatus.Incomplete) Reset();
        return status;
    }

    private StompReadStatus ReadFrame(in ReadOnlySequence<byte> buffer, out StompFrame? frame, out StompProtocolError error, out long consumed)
    {
        frame = null;
        consumed = 0;
        StompReadStatus status;

        if (_command is null)
        {
            status = ReadLine(buffer, Limits.MaxCommandBytes, isCommand: true, out var line, out var next, out error);
            if (status != StompReadStatus.Frame) return status;
            if (!StompCommands.TryParse(line, out var command))
            {
                error = new(StompProtocolErrorCodes.UnknownCommand,
                    $"unknown command \"{Show(line)}\": expected one of {string.Join(", ", Enum.GetValues<StompCommand>().Select(StompCommands.Name))} (case-sensitive)");
                return StompReadStatus.Error;
            }
            _command = command;
            _lineStart = next;
        }

        while (!_headersDone)
        {
            status = ReadLine(buffer, Limits.MaxHeaderLineBytes, isCommand: false, out var line, out var next, out error);
            if (status != StompReadStatus.Frame) return status;
            if (line.IsEmpty)
            {
                _headersDone = true;
                _lineStart = next;
                if (!FindContentLength(out error)) return StompReadStatus.Error;
                break;
            }
            if (_headers.Count >= Limits.MaxHeaderCount)
            {
                error = new(StompProtocolErrorCodes.TooManyHeaders,
                    $"{Name} frame has more than the limit of {Limits.MaxHeaderCount} headers (Gantry:Stomp:MaxHeaderCount)");
                return StompReadStatus.Error;
            }
            if (!ParseHeader(line, out var header, out error)) return StompReadStatus.Error;
            _headers.Add(header);
            _lineStart = next;
        }

        return ReadBody(buffer, out frame, out error, out consumed);
    }

    private string Name => StompCommands.Name(_command!.Value);

    /// <summary>
    /// Finds the line starting at <see cref="_lineStart"/>. The LF is looked for no further than the line limit
    /// allows (content, then CR LF) and no further than the header-section limit allows; whichever bound is nearer
    /// decides the error if the LF is not within it, so the error does not depend on how the bytes were split.
    /// </summary>
    private StompReadStatus ReadLine(in ReadOnlySequence<byte> buffer, int lineMax, bool isCommand,
        out ReadOnlySpan<byte> line, out long next, out StompProtocolError error)
    {
        line = default;
        next = 0;
        error = default;
        var start = _lineStart;
        var lineEnd = start + lineMax + 2L;
        var sectionEnd = (long)Limits.MaxHeaderBytes;
        var windowEnd = Math.Min(lineEnd, sectionEnd);

        var from = Math.Max(start, _scannedTo);
        var to = Math.Min(buffer.Length, windowEnd);
        long lf = -1;
        if (from < to)
        {
            var window = buffer.Slice(from, to - from);
            var position = window.PositionOf(Lf);
            if (position is null) _scannedTo = to;
            else lf = from + window.Slice(0, position.Value).Length;
        }
        if (lf < 0)
        {
            if (buffer.Length < windowEnd) return StompReadStatus.Incomplete;
            error = lineEnd <= sectionEnd ? LineTooLong(lineMax, isCommand) : HeadersTooLarge();
            return StompReadStatus.Error;
        }

        var bytes = buffer.Slice(start, lf - start);
        var span = bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray();
        if (!span.IsEmpty && span[^1] == Cr) span = span[..^1];
        if (span.Length > lineMax)
        {
            error = LineTooLong(lineMax, isCommand);
            return StompReadStatus.Error;
        }
        line = span;
        next = lf + 1;
        return StompReadStatus.Frame;
    }

    private bool ParseHeader(ReadOnlySpan<byte> line, out StompHeader header, out StompProtocolError error)
    {
        header = default;
        error = default;
        var number = _headers.Count + 1;
        if (line.IndexOf(Cr) >= 0)
        {
            error = new(StompProtocolErrorCodes.InvalidHeader,
                $"{Name} header line {number} contains a CR that does not end the line (a line ends in LF or CR LF; a CR in a value is written \\r)");
            return false;
        }
        var colon = line.IndexOf((byte)':');
        if (colon <= 0)
        {
            error = new(StompProtocolErrorCodes.InvalidHeader, colon < 0
                ? $"{Name} header line {number} \"{Show(line)}\" has no colon: a header is name:value"
                : $"{Name} header line {number} \"{Show(line)}\" has an empty name");
            return false;
        }

        var unescape = DecodeEscapes && StompCommands.EscapesHeaders(_command!.Value);
        if (!Decode(line[..colon], unescape, $"header line {number}'s name", out var name, out error)) return false;
        if (!Decode(line[(colon + 1)..], unescape, $"the value of header \"{Show(line[..colon])}\"", out var value, out error)) return false;
        header = new StompHeader(name, value);
        return true;
    }

    private bool Decode(ReadOnlySpan<byte> raw, bool unescape, string what, out string text, out StompProtocolError error)
    {
        error = default;
        switch (StompHeaderEscaping.Decode(raw, unescape, out text, out var at))
        {
            case StompHeaderEscaping.DecodeResult.InvalidEscape:
                var escape = at + 1 < raw.Length ? $"\"\\{Show(raw.Slice(at + 1, 1))}\"" : "a backslash at the end";
                error = new(StompProtocolErrorCodes.InvalidEscape,
                    $"{Name} {what} has {escape}: the only escapes are \\r \\n \\c and \\\\");
                return false;
            case StompHeaderEscaping.DecodeResult.InvalidUtf8:
                error = new(StompProtocolErrorCodes.InvalidHeader, $"{Name} {what} is not valid UTF-8");
                return false;
            default:
                return true;
        }
    }

    /// <summary>The first <c>content-length</c> wins, like any repeated header; checked against the limit before the body arrives.</summary>
    private bool FindContentLength(out StompProtocolError error)
    {
        error = default;
        _contentLength = -1;
        foreach (var header in _headers)
        {
            if (!string.Equals(header.Name, StompHeaderNames.ContentLength, StringComparison.Ordinal)) continue;
            var text = header.Value;
            if (text.Length == 0 || !text.All(char.IsAsciiDigit))
            {
                error = new(StompProtocolErrorCodes.InvalidContentLength,
                    $"{Name} content-length \"{Show(Encoding.UTF8.GetBytes(text))}\" is not a decimal number of bytes");
                return false;
            }
            // Saturating: twenty digits of length are as much over the limit as eleven, and must not overflow.
            long length = 0;
            foreach (var c in text) length = Math.Min(length * 10 + (c - '0'), (long)int.MaxValue + 1);
            if (length > Limits.MaxBodyBytes)
            {
                error = BodyTooLarge($"its content-length of {text} bytes exceeds");
                return false;
            }
            _contentLength = length;
            return true;
        }
        return true;
    }

    private StompReadStatus ReadBody(in ReadOnlySequence<byte> buffer, out StompFrame? frame, out StompProtocolError error, out long consumed)
    {
        frame = null;
        error = default;
        consumed = 0;
        var bodyStart = _lineStart;
        long bodyLength;

        if (_contentLength >= 0)
        {
            bodyLength = _contentLength;
            if (buffer.Length < bodyStart + bodyLength + 1) return StompReadStatus.Incomplete;
            var terminator = ByteAt(buffer, bodyStart + bodyLength);
            if (terminator != 0)
            {
                error = new(StompProtocolErrorCodes.MissingNul,
                    $"{Name} frame's body of content-length {bodyLength} is followed by 0x{terminator.ToString("x2", CultureInfo.InvariantCulture)}, not the NUL that ends a frame");
                return StompReadStatus.Error;
            }
        }
        else
        {
            var windowEnd = bodyStart + Limits.MaxBodyBytes + 1L;
            var from = Math.Max(bodyStart, _scannedTo);
            var to = Math.Min(buffer.Length, windowEnd);
            long nul = -1;
            if (from < to)
            {
                var window = buffer.Slice(from, to - from);
                var position = window.PositionOf((byte)0);
                if (position is null) _scannedTo = to;
                else nul = from + window.Slice(0, position.Value).Length;
            }
            if (nul < 0)
            {
                if (buffer.Length < windowEnd) return StompReadStatus.Incomplete;
                error = BodyTooLarge("its body (no content-length, so it ends at the first NUL) exceeds");
                return StompReadStatus.Error;
            }
            bodyLength = nul - bodyStart;
        }

        var body = bodyLength == 0 ? ReadOnlyMemory<byte>.Empty : buffer.Slice(bodyStart, bodyLength).ToArray();
        frame = new StompFrame(_command!.Value, _headers.ToArray(), body);
        consumed = bodyStart + bodyLength + 1;
        return StompReadStatus.Frame;
    }

    private StompProtocolError LineTooLong(int limit, bool isCommand) => isCommand
        ? new(StompProtocolErrorCodes.CommandTooLong,
            $"command line is longer than the limit of {limit} bytes (Gantry:Stomp:MaxCommandBytes): this is not a STOMP frame")
        : new(StompProtocolErrorCodes.HeaderLineTooLong,
            $"{Name} header line {_headers.Count + 1} is longer than the limit of {limit} bytes (Gantry:Stomp:MaxHeaderLineBytes)");

    private StompProtocolError HeadersTooLarge() =>
        new(StompProtocolErrorCodes.HeadersTooLarge,
            $"{(_command is null ? "the frame's" : Name)} command and header lines exceed the limit of {Limits.MaxHeaderBytes} bytes together (Gantry:Stomp:MaxHeaderBytes)");

    private StompProtocolError BodyTooLarge(string what) =>
        new(StompProtocolErrorCodes.BodyTooLarge,
            $"{Name} frame: {what} the limit of {Limits.MaxBodyBytes} bytes (Gantry:Stomp:MaxBodyBytes)");

    private static byte ByteAt(in ReadOnlySequence<byte> buffer, long index)
    {
        Span<byte> one = stackalloc byte[1];
        buffer.Slice(index, 1).CopyTo(one);
        return one[0];
    }

    /// <summary>Received bytes made safe for a one-line message: printable ASCII as is, the rest as \xNN, cut at 40 bytes.</summary>
    private static string Show(ReadOnlySpan<byte> bytes)
    {
        const int MaxShown = 40;
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, MaxShown)])
        {
            if (b is >= 0x20 and < 0x7f and not (byte)'"' and not (byte)'\\') text.Append((char)b);
            else text.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }
        if (bytes.Length > MaxShown) text.Append('…');
        return text.ToString();
    }
}
