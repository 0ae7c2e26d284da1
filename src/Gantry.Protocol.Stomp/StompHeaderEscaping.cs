using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Gantry.Protocol.Stomp;

/// <summary>
/// The four header escapes of STOMP 1.2 (<c>\r</c> CR, <c>\n</c> LF, <c>\c</c> colon, <c>\\</c> backslash), both
/// ways, and the UTF-8 rule for header text. Kept apart from the reader and writer so the one table of escapes
/// cannot drift between them.
/// </summary>
internal static class StompHeaderEscaping
{
    /// <summary>What went wrong decoding a header name or value.</summary>
    internal enum DecodeResult
    {
        Ok,

        /// <summary>A backslash followed by anything else, or at the very end: fatal, per the specification.</summary>
        InvalidEscape,

        /// <summary>The bytes (after unescaping) are not UTF-8, which header text must be.</summary>
        InvalidUtf8,
    }

    private static readonly SearchValues<char> Escaped = SearchValues.Create("\\\r\n:");

    // Headers are bounded by StompReadLimits.MaxHeaderLineBytes; short ones are unescaped on the stack.
    private const int StackBytes = 256;

    /// <summary>
    /// Decodes one header name or value. <paramref name="at"/> is the offset of the bad backslash for
    /// <see cref="DecodeResult.InvalidEscape"/>, for the error message.
    /// </summary>
    public static DecodeResult Decode(ReadOnlySpan<byte> raw, bool unescape, out string text, out int at)
    {
        text = "";
        at = -1;
        if (!unescape || raw.IndexOf((byte)'\\') < 0) return ToText(raw, out text);

        byte[]? rented = null;
        var output = raw.Length <= StackBytes ? stackalloc byte[StackBytes] : (rented = ArrayPool<byte>.Shared.Rent(raw.Length));
        try
        {
            var length = 0;
            for (var i = 0; i < raw.Length; i++)
            {
                var b = raw[i];
                if (b != (byte)'\\')
                {
                    output[length++] = b;
                    continue;
                }
                if (i + 1 == raw.Length)
                {
                    at = i;
                    return DecodeResult.InvalidEscape;
                }
                byte? decoded = raw[i + 1] switch
                {
                    (byte)'r' => (byte)'\r',
                    (byte)'n' => (byte)'\n',
                    (byte)'c' => (byte)':',
                    (byte)'\\' => (byte)'\\',
                    _ => null,
                };
                if (decoded is null)
                {
                    at = i;
                    return DecodeResult.InvalidEscape;
                }
                output[length++] = decoded.Value;
                i++;
            }
            return ToText(output[..length], out text);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The bytes <paramref name="text"/> takes on the wire, escapes included.</summary>
    public static int EncodedLength(string text, bool escape)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        if (escape) foreach (var c in text) if (c is '\\' or '\r' or '\n' or ':') length++;
        return length;
    }

    /// <summary>Writes <paramref name="text"/> into <paramref name="output"/>, which holds <see cref="EncodedLength"/> bytes; returns that count.</summary>
    public static int Encode(string text, Span<byte> output, bool escape)
    {
        if (!escape) return Encoding.UTF8.GetBytes(text, output);
        var written = 0;
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            var special = rest.IndexOfAny(Escaped);
            var run = special < 0 ? rest : rest[..special];
            written += Encoding.UTF8.GetBytes(run, output[written..]);
            if (special < 0) break;
            output[written++] = (byte)'\\';
            output[written++] = rest[special] switch { '\\' => (byte)'\\', '\r' => (byte)'r', '\n' => (byte)'n', _ => (byte)'c' };
            rest = rest[(special + 1)..];
        }
        return written;
    }

    private static DecodeResult ToText(ReadOnlySpan<byte> bytes, out string text)
    {
        // Checked first rather than decoded with replacement: a header that is not UTF-8 is a broken client, and a
        // destination silently changed to U+FFFD would route the message somewhere else.
        if (!Utf8.IsValid(bytes))
        {
            text = "";
            return DecodeResult.InvalidUtf8;
        }
        text = Encoding.UTF8.GetString(bytes);
        return DecodeResult.Ok;
    }
}
