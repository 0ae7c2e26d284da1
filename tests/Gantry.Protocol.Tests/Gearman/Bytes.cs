using System.Buffers;
using System.Text;
using Gantry.Protocol.Gearman;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>Builds the byte sequences the reader tests feed in: whole, split in two, one byte per segment.</summary>
internal static class Bytes
{
    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>"00 52 45 51 …" (spaces and newlines ignored) to bytes, so tests can quote hex dumps.</summary>
    public static byte[] FromHex(string hex) =>
        Convert.FromHexString(string.Concat(hex.Where(c => !char.IsWhiteSpace(c))));

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    public static ReadOnlySequence<byte> Whole(byte[] bytes) => new(bytes);

    /// <summary>Two segments, split before index <paramref name="at"/> (0 and the length give an empty segment).</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, int at) => Segments(bytes[..at], bytes[at..]);

    /// <summary>Every byte in its own segment: the most fragmented buffer a pipe can hand over.</summary>
    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes) =>
        Segments(bytes.Select(b => new[] { b }).ToArray());

    public static ReadOnlySequence<byte> Segments(params byte[][] parts)
    {
        if (parts.Length == 0) return ReadOnlySequence<byte>.Empty;
        var first = new Segment(parts[0], 0);
        var last = first;
        for (var i = 1; i < parts.Length; i++) last = last.Append(parts[i]);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>Reads frames until the buffer is used up or the reader stops; returns what it saw and what is left.</summary>
    public static (List<object> Frames, GearmanReadStatus LastStatus, ReadOnlySequence<byte> Remaining) ReadAll(
        ReadOnlySequence<byte> buffer, GearmanReadLimits? limits = null)
    {
        var frames = new List<object>();
        while (true)
        {
            var status = GearmanReader.TryRead(ref buffer, limits ?? GearmanReadLimits.Default, out var packet, out var line, out var error);
            switch (status)
            {
                case GearmanReadStatus.Packet: frames.Add(packet); break;
                case GearmanReadStatus.AdminLine: frames.Add(line!); break;
                case GearmanReadStatus.Error: frames.Add(error); return (frames, status, buffer);
                default: return (frames, status, buffer);
            }
            if (buffer.IsEmpty) return (frames, status, buffer);
        }
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}

/// <summary>An output that records each GetSpan size hint and Advance count, to prove the writer asks once for the exact size.</summary>
internal sealed class RecordingBufferWriter : IBufferWriter<byte>
{
    private readonly ArrayBufferWriter<byte> _inner = new();

    public List<int> SizeHints { get; } = [];
    public List<int> Advances { get; } = [];
    public ReadOnlySpan<byte> Written => _inner.WrittenSpan;

    public void Advance(int count)
    {
        Advances.Add(count);
        _inner.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => throw new NotSupportedException("the writer must use GetSpan");

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        SizeHints.Add(sizeHint);
        return _inner.GetSpan(sizeHint);
    }
}
