using System.Text;

namespace Gantry.Protocol.Gearman;

/// <summary>
/// One binary packet: direction, type and body. The body is owned by the packet (the reader copies it out of the
/// pipe buffer), so a packet can be kept, queued or handed to another connection after the read buffer moves on.
/// Fields are found on demand by scanning for NUL separators rather than stored as offsets: the leading fields
/// (handles, function names, unique ids) are short, so the scan is cheap and the struct stays three words.
/// </summary>
public readonly struct GearmanPacket
{
    /// <summary>Wraps a body without copying it. The caller must not change the memory afterwards.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a known packet type.</exception>
    public GearmanPacket(GearmanMagic magic, GearmanPacketType type, ReadOnlyMemory<byte> body)
    {
        if (!GearmanPacketTypes.IsKnown((int)type))
            throw new ArgumentOutOfRangeException(nameof(type), (int)type, $"{(int)type} is not a known Gearman packet type.");
        Magic = magic;
        Type = type;
        Body = body;
    }

    /// <summary>For the reader, which has already checked the type: skips the check on the hot path.</summary>
    internal GearmanPacket(GearmanMagic magic, GearmanPacketType type, ReadOnlyMemory<byte> body, bool trusted)
    {
        _ = trusted;
        Magic = magic;
        Type = type;
        Body = body;
    }

    /// <summary>Whether the packet was (or is to be) sent to the server or from it.</summary>
    public GearmanMagic Magic { get; }

    /// <summary>The packet type.</summary>
    public GearmanPacketType Type { get; }

    /// <summary>
    /// The whole body, separators included. Empty for bodies of zero bytes and for zero-field types, whose body
    /// bytes the reader skips without copying.
    /// </summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The number of fields the type defines (see <see cref="GearmanPacketTypes.FieldCount"/>).</summary>
    public int FieldCount => GearmanPacketTypes.FieldCountOrZero(Type);

    /// <summary>
    /// The field at <paramref name="index"/>: for all but the last, the bytes up to the next NUL; the last field is
    /// the rest of the body, NULs included, because it carries opaque binary data (workloads, results).
    /// A body built by hand with too few separators yields empty fields for the missing ones; the reader never
    /// returns such a packet.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or not below <see cref="FieldCount"/>.</exception>
    public ReadOnlySpan<byte> Field(int index)
    {
        var (start, length) = Locate(index);
        return Body.Span.Slice(start, length);
    }

    /// <summary>The same bytes as <see cref="Field"/>, as memory that shares the body: keep it without copying.</summary>
    public ReadOnlyMemory<byte> FieldMemory(int index)
    {
        var (start, length) = Locate(index);
        return Body.Slice(start, length);
    }

    /// <summary>The field decoded as UTF-8 (invalid sequences become U+FFFD), for names, handles and numbers.</summary>
    public string FieldString(int index) => Encoding.UTF8.GetString(Field(index));

    /// <summary>For logs and test failures: direction, type and body size, never the body (it may be large or private).</summary>
    public override string ToString() =>
        $"{(Magic == GearmanMagic.Request ? "REQ" : "RES")} {GearmanPacketTypes.Name(Type)} ({Body.Length} bytes)";

    private (int Start, int Length) Locate(int index)
    {
        var count = FieldCount;
        if ((uint)index >= (uint)count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"{GearmanPacketTypes.Name(Type)} has {count} field(s).");

        var body = Body.Span;
        var start = 0;
        for (var i = 0; i < index; i++)
        {
            var nul = body[start..].IndexOf((byte)0);
            if (nul < 0) return (body.Length, 0);
            start += nul + 1;
        }
        if (index == count - 1) return (start, body.Length - start);

        var end = body[start..].IndexOf((byte)0);
        return (start, end < 0 ? body.Length - start : end);
    }
}
