using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Gantry.Protocol.Gearman;

/// <summary>
/// Frames the byte stream of one Gearman connection, Kestrel style: a pure function over a
/// <see cref="ReadOnlySequence{T}"/> that does no I/O, keeps no state between calls, works on multi-segment buffers
/// and never throws, whatever the bytes are. Keeping it pure is what lets the tests feed input byte by byte and
/// split at every position, and lets the same parser sit behind any transport.
/// </summary>
/// <remarks>
/// The kind of each frame is decided by its first byte, as gearmand does: a NUL starts a binary packet, anything
/// else starts an admin text line, and one connection may mix the two (the <c>gearman</c> tool and monitoring
/// scripts do). Limits are enforced from what has arrived so far, so an oversized packet is refused from its header
/// and an endless line from its first <see cref="GearmanReadLimits.MaxAdminLineBytes"/> bytes, never by buffering.
/// </remarks>
public static class GearmanReader
{
    private const int HeaderLength = GearmanWriter.HeaderLength;

    /// <summary>
    /// Reads the frame at the start of <paramref name="buffer"/>.
    /// <list type="bullet">
    /// <item><see cref="GearmanReadStatus.Packet"/> / <see cref="GearmanReadStatus.AdminLine"/>: <paramref name="buffer"/>
    /// is advanced past the frame; <paramref name="packet"/> or <paramref name="adminLine"/> holds it. Call again:
    /// more frames may follow in the same buffer.</item>
    /// <item><see cref="GearmanReadStatus.Incomplete"/>: <paramref name="buffer"/> is unchanged. A pipe reader should
    /// mark the whole buffer examined (<c>AdvanceTo(buffer.Start, buffer.End)</c>) and wait for more data.</item>
    /// <item><see cref="GearmanReadStatus.Error"/>: <paramref name="buffer"/> is unchanged and the stream cannot be
    /// resynchronised (there is no frame marker to look for); send an ERROR packet with <paramref name="error"/>
    /// and close.</item>
    /// </list>
    /// </summary>
    public static GearmanReadStatus TryRead(
        ref ReadOnlySequence<byte> buffer,
        GearmanReadLimits limits,
        out GearmanPacket packet,
        out string? adminLine,
        out GearmanProtocolError error)
    {
        ArgumentNullException.ThrowIfNull(limits);
        packet = default;
        adminLine = null;
        error = default;
        if (buffer.IsEmpty) return GearmanReadStatus.Incomplete;

        // Copying the header out handles a header split over segments, and empty segments, in one place.
        Span<byte> header = stackalloc byte[HeaderLength];
        var have = (int)Math.Min(buffer.Length, HeaderLength);
        buffer.Slice(0, have).CopyTo(header);

        return header[0] == 0
            ? ReadPacket(ref buffer, header[..have], limits, out packet, out error)
            : ReadAdminLine(ref buffer, limits, out adminLine, out error);
    }

    private static GearmanReadStatus ReadPacket(
        ref ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> header, GearmanReadLimits limits,
        out GearmanPacket packet, out GearmanProtocolError error)
    {
        packet = default;
        error = default;

        // Check the magic as far as it has arrived, so a peer speaking another protocol is told at once.
        var magicBytes = Math.Min(header.Length, 4);
        for (var i = 1; i < magicBytes; i++)
        {
            var ok = i switch { 1 => header[i] == (byte)'R', 2 => header[i] == (byte)'E', _ => header[i] is (byte)'Q' or (byte)'S' };
            if (!ok)
            {
                error = new(GearmanProtocolErrorCodes.InvalidMagic,
                    $"a binary packet must start with \"\\0REQ\" or \"\\0RES\", but this one starts with {Hex(header[..magicBytes])}");
                return GearmanReadStatus.Error;
            }
        }
        if (header.Length < HeaderLength) return GearmanReadStatus.Incomplete;

        var magic = header[3] == (byte)'Q' ? GearmanMagic.Request : GearmanMagic.Response;
        var typeNumber = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (typeNumber > int.MaxValue || !GearmanPacketTypes.IsKnown((int)typeNumber))
        {
            error = new(GearmanProtocolErrorCodes.InvalidCommand,
                $"unknown packet type {typeNumber}: known types are 1 to {GearmanPacketTypes.MaxKnownType} except 5");
            return GearmanReadStatus.Error;
        }
        var type = (GearmanPacketType)typeNumber;

        var size = BinaryPrimitives.ReadUInt32BigEndian(header[8..]);
        if (size > (uint)limits.MaxPacketBytes)
        {
            error = new(GearmanProtocolErrorCodes.PacketTooLarge,
                $"{GearmanPacketTypes.Name(type)} packet body of {size} bytes exceeds the limit of {limits.MaxPacketBytes} (Gantry:Gearman:MaxPacketBytes)");
            return GearmanReadStatus.Error;
        }
        var frameLength = HeaderLength + (long)size;
        if (buffer.Length < frameLength) return GearmanReadStatus.Incomplete;

        var fieldCount = GearmanPacketTypes.FieldCountOrZero(type);
        ReadOnlyMemory<byte> body = ReadOnlyMemory<byte>.Empty;
        // Zero-field types carry nothing; their body bytes, if a client sends any, are skipped uncopied.
        if (fieldCount > 0 && size > 0)
        {
            var bytes = new byte[size];
            buffer.Slice(HeaderLength, size).CopyTo(bytes);
            body = bytes;
        }

        var separators = CountSeparators(body.Span, fieldCount - 1);
        if (fieldCount > 1 && separators < fieldCount - 1)
        {
            error = new(GearmanProtocolErrorCodes.InvalidPacket,
                $"{GearmanPacketTypes.Name(type)} has {fieldCount} fields separated by {fieldCount - 1} NUL bytes, but its body of {size} bytes has {separators}");
            return GearmanReadStatus.Error;
        }

        packet = new GearmanPacket(magic, type, body, trusted: true);
        buffer = buffer.Slice(frameLength);
        return GearmanReadStatus.Packet;
    }

    private static GearmanReadStatus ReadAdminLine(
        ref ReadOnlySequence<byte> buffer, GearmanReadLimits limits, out string? adminLine, out GearmanProtocolError error)
    {
        adminLine = null;
        error = default;
        var limit = limits.MaxAdminLineBytes;

        // Look no further than the longest acceptable line plus "\r\n": past that the answer cannot change.
        var window = buffer.Slice(0, Math.Min(buffer.Length, limit + 2L));
        var newline = window.PositionOf((byte)'\n');
        if (newline is null)
        {
            if (window.Length < limit + 2L) return GearmanReadStatus.Incomplete;
            error = LineTooLong(limit);
            return GearmanReadStatus.Error;
        }

        var line = buffer.Slice(0, newline.Value);
        if (!line.IsEmpty && ByteAt(line, line.Length - 1) == (byte)'\r') line = line.Slice(0, line.Length - 1);
        if (line.Length > limit)
        {
            error = LineTooLong(limit);
            return GearmanReadStatus.Error;
        }

        adminLine = Encoding.UTF8.GetString(line);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return GearmanReadStatus.AdminLine;
    }

    private static GearmanProtocolError LineTooLong(int limit) =>
        new(GearmanProtocolErrorCodes.LineTooLong,
            $"admin text line is longer than the limit of {limit} bytes (Gantry:Gearman:MaxAdminLineBytes); a line must end in \"\\n\"");

    /// <summary>Counts NULs in <paramref name="body"/>, stopping once <paramref name="needed"/> are found.</summary>
    private static int CountSeparators(ReadOnlySpan<byte> body, int needed)
    {
        var found = 0;
        while (found < needed)
        {
            var nul = body.IndexOf((byte)0);
            if (nul < 0) break;
            found++;
            body = body[(nul + 1)..];
        }
        return found;
    }

    private static byte ByteAt(in ReadOnlySequence<byte> sequence, long index)
    {
        Span<byte> one = stackalloc byte[1];
        sequence.Slice(index, 1).CopyTo(one);
        return one[0];
    }

    private static string Hex(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes) text.Append(text.Length == 0 ? "" : " ").Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return text.ToString();
    }
}
