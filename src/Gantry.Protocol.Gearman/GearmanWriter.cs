using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Gantry.Protocol.Gearman;

/// <summary>
/// Writes Gearman packets and admin text straight into the connection's output buffer: each call asks
/// <see cref="IBufferWriter{T}.GetSpan"/> for the exact frame size once, fills it and advances once, so a packet
/// costs no intermediate array and is never half-written into the buffer.
/// </summary>
/// <remarks>
/// Fields are joined by single NULs with no trailing NUL, as libgearman sends them. The writer does not check the
/// field count against the type: the server knows what it sends, and tests need to write malformed packets.
/// To forward a body unchanged (a worker's WORK_COMPLETE to the waiting client), use the one-field overload with
/// <see cref="GearmanPacket.Body"/>: a single field is written as is.
/// </remarks>
public static class GearmanWriter
{
    /// <summary>Magic (4 bytes), type (4 bytes, big-endian) and body size (4 bytes, big-endian).</summary>
    public const int HeaderLength = 12;

    /// <summary>A packet with an empty body (GRAB_JOB, NOOP, NO_JOB, PRE_SLEEP…).</summary>
    public static void Write(IBufferWriter<byte> output, GearmanMagic magic, GearmanPacketType type)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(HeaderLength);
        WriteHeader(span, magic, type, 0);
        output.Advance(HeaderLength);
    }

    /// <summary>A one-field packet; the field is the whole body.</summary>
    public static void Write(IBufferWriter<byte> output, GearmanMagic magic, GearmanPacketType type, ReadOnlySpan<byte> field0)
    {
        var span = Begin(output, magic, type, field0.Length, out var total);
        Put(span, ref total, field0, last: true);
        output.Advance(total);
    }

    public static void Write(IBufferWriter<byte> output, GearmanMagic magic, GearmanPacketType type,
        ReadOnlySpan<byte> field0, ReadOnlySpan<byte> field1)
    {
        var span = Begin(output, magic, type, BodyLength(field0.Length, field1.Length), out var total);
        Put(span, ref total, field0, last: false);
        Put(span, ref total, field1, last: true);
        output.Advance(total);
    }

    public static void Write(IBufferWriter<byte> output, GearmanMagic magic, GearmanPacketType type,
        ReadOnlySpan<byte> field0, ReadOnlySpan<byte> field1, ReadOnlySpan<byte> field2)
    {
        var span = Begin(output, magic, type, BodyLength(field0.Length, field1.Length, field2.Length), out var total);
        Put(span, ref total, field0, last: false);
        Put(span, ref total, field1, last: false);
        Put(span, ref total, field2, last: true);
        output.Advance(total);
    }

    public static void Write(IBufferWriter<byte> output, GearmanMagic magic, GearmanPacketType type,
        ReadOnlySpan<byte> field0, ReadOnlySpan<byte> field1, ReadOnlySpan<byte> field2, ReadOnlySpan<byte> field3)
    {
        var span = Begin(output, magic, type, BodyLength(field0.Length, field1.Length, field2.Length, field3.Length), out var total);
        Put(span, ref total, field0, last: false);
        Put(span, ref total, field1, last: false);
        Put(span, ref total, field2, last: false);
        Put(span, ref total, field3, last: true);
        output.Advance(total);
    }

    public static void Write(IBufferWriter<byte> output, GearmanMagic magic, GearmanPacketType type,
        ReadOnlySpan<byte> field0, ReadOnlySpan<byte> field1, ReadOnlySpan<byte> field2, ReadOnlySpan<byte> field3,
        ReadOnlySpan<byte> field4)
    {
        var span = Begin(output, magic, type,
            BodyLength(field0.Length, field1.Length, field2.Length, field3.Length, field4.Length), out var total);
        Put(span, ref total, field0, last: false);
        Put(span, ref total, field1, last: false);
        Put(span, ref total, field2, last: false);
        Put(span, ref total, field3, last: false);
        Put(span, ref total, field4, last: true);
        output.Advance(total);
    }

    public static void Write(IBufferWriter<byte> output, GearmanMagic magic, GearmanPacketType type,
        ReadOnlySpan<byte> field0, ReadOnlySpan<byte> field1, ReadOnlySpan<byte> field2, ReadOnlySpan<byte> field3,
        ReadOnlySpan<byte> field4, ReadOnlySpan<byte> field5)
    {
        var span = Begin(output, magic, type,
            BodyLength(field0.Length, field1.Length, field2.Length, field3.Length, field4.Length, field5.Length), out var total);
        Put(span, ref total, field0, last: false);
        Put(span, ref total, field1, last: false);
        Put(span, ref total, field2, last: false);
        Put(span, ref total, field3, last: false);
        Put(span, ref total, field4, last: false);
        Put(span, ref total, field5, last: true);
        output.Advance(total);
    }

    /// <summary>
    /// A response ERROR packet (code, then message), what gearmand sends before closing on bad input. Both are
    /// encoded as UTF-8 straight into the output.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="code"/> contains a NUL, which would shift the message into it.</exception>
    public static void WriteError(IBufferWriter<byte> output, string code, string message)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(message);
        if (code.Contains('\0')) throw new ArgumentException("An ERROR code cannot contain a NUL: it separates the code from the message.", nameof(code));

        var codeLength = Encoding.UTF8.GetByteCount(code);
        var span = Begin(output, GearmanMagic.Response, GearmanPacketType.Error,
            BodyLength(codeLength, Encoding.UTF8.GetByteCount(message)), out var total);
        total += Encoding.UTF8.GetBytes(code, span[total..]);
        span[total++] = 0;
        total += Encoding.UTF8.GetBytes(message, span[total..]);
        output.Advance(total);
    }

    /// <summary>
    /// Admin protocol text (for example <c>"OK\n"</c> or a <c>status</c> listing ending in <c>".\n"</c>), written as
    /// is: no line ending is added. Encoded as UTF-8, which is byte for byte ASCII for ASCII text and lets function
    /// names that arrived as UTF-8 go back out unchanged.
    /// </summary>
    public static void WriteText(IBufferWriter<byte> output, string text)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0) return;
        var length = Encoding.UTF8.GetByteCount(text);
        var written = Encoding.UTF8.GetBytes(text, output.GetSpan(length));
        output.Advance(written);
    }

    /// <summary>A whole packet as a new array, for tests and tools; servers should write into their output instead.</summary>
    public static byte[] ToArray(GearmanMagic magic, GearmanPacketType type, params ReadOnlySpan<byte[]> fields)
    {
        var lengths = 0L;
        foreach (var field in fields) lengths += field.Length;
        var bodyLength = lengths + Math.Max(fields.Length - 1, 0);
        if (bodyLength > int.MaxValue - HeaderLength) throw new ArgumentException("The packet would not fit an array.", nameof(fields));

        var packet = new byte[HeaderLength + bodyLength];
        WriteHeader(packet, magic, type, (int)bodyLength);
        var at = HeaderLength;
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0) packet[at++] = 0;
            fields[i].CopyTo(packet, at);
            at += fields[i].Length;
        }
        return packet;
    }

    private static Span<byte> Begin(IBufferWriter<byte> output, GearmanMagic magic, GearmanPacketType type, long bodyLength, out int written)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (bodyLength > int.MaxValue - HeaderLength) throw new ArgumentException("The packet body is larger than a packet can be.", nameof(bodyLength));
        var span = output.GetSpan(HeaderLength + (int)bodyLength);
        WriteHeader(span, magic, type, (int)bodyLength);
        written = HeaderLength;
        return span;
    }

    private static void Put(Span<byte> span, ref int at, ReadOnlySpan<byte> field, bool last)
    {
        field.CopyTo(span[at..]);
        at += field.Length;
        if (!last) span[at++] = 0;
    }

    private static void WriteHeader(Span<byte> span, GearmanMagic magic, GearmanPacketType type, int bodyLength)
    {
        span[0] = 0;
        span[1] = (byte)'R';
        span[2] = (byte)'E';
        span[3] = magic == GearmanMagic.Request ? (byte)'Q' : (byte)'S';
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)type);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], (uint)bodyLength);
    }

    private static long BodyLength(params ReadOnlySpan<int> fieldLengths)
    {
        var total = (long)fieldLengths.Length - 1;
        foreach (var length in fieldLengths) total += length;
        return total;
    }
}
