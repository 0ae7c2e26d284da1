using System.Buffers;
using Gantry.Protocol.Gearman;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>
/// Every packet type, written then read back with random binary fields, through every way a pipe can hand the bytes
/// over: whole, growing one byte at a time, split in two at every position, one byte per segment, and several
/// packets back to back. Fields before the last never contain a NUL (the protocol cannot carry one there); the last
/// field does, often, to prove it is binary-safe.
/// </summary>
public sealed class RoundTripTests
{
    public static TheoryData<GearmanPacketType, GearmanMagic, int> Cases()
    {
        var data = new TheoryData<GearmanPacketType, GearmanMagic, int>();
        foreach (var type in Enum.GetValues<GearmanPacketType>())
        {
            data.Add(type, GearmanMagic.Request, 1);
            data.Add(type, GearmanMagic.Response, 2);
            data.Add(type, GearmanMagic.Request, 3);
        }
        return data;
    }

    /// <summary>Seed 1: every field empty. Others: random fields, the last up to 200 bytes and full of NULs.</summary>
    internal static byte[][] RandomFields(GearmanPacketType type, int seed)
    {
        var random = new Random(seed * 1000 + (int)type);
        var count = GearmanPacketTypes.FieldCount(type);
        var fields = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var last = i == count - 1;
            var field = new byte[seed == 1 ? 0 : random.Next(last ? 200 : 24)];
            for (var j = 0; j < field.Length; j++)
                field[j] = last ? (byte)(random.Next(4) == 0 ? 0 : random.Next(256)) : (byte)random.Next(1, 256);
            fields[i] = field;
        }
        return fields;
    }

    /// <summary>Writes through the field-count overload, so each overload is exercised by the types that use it.</summary>
    internal static byte[] Write(GearmanMagic magic, GearmanPacketType type, byte[][] f)
    {
        var output = new ArrayBufferWriter<byte>();
        switch (f.Length)
        {
            case 0: GearmanWriter.Write(output, magic, type); break;
            case 1: GearmanWriter.Write(output, magic, type, f[0]); break;
            case 2: GearmanWriter.Write(output, magic, type, f[0], f[1]); break;
            case 3: GearmanWriter.Write(output, magic, type, f[0], f[1], f[2]); break;
            case 4: GearmanWriter.Write(output, magic, type, f[0], f[1], f[2], f[3]); break;
            case 5: GearmanWriter.Write(output, magic, type, f[0], f[1], f[2], f[3], f[4]); break;
            case 6: GearmanWriter.Write(output, magic, type, f[0], f[1], f[2], f[3], f[4], f[5]); break;
            default: return GearmanWriter.ToArray(magic, type, f); // SUBMIT_JOB_SCHED's 8 fields
        }
        return output.WrittenSpan.ToArray();
    }

    private static void AssertPacket(object frame, GearmanMagic magic, GearmanPacketType type, byte[][] fields)
    {
        var packet = Assert.IsType<GearmanPacket>(frame);
        Assert.Equal(magic, packet.Magic);
        Assert.Equal(type, packet.Type);
        Assert.Equal(fields.Length, packet.FieldCount);
        for (var i = 0; i < fields.Length; i++)
        {
            Assert.Equal(fields[i], packet.Field(i).ToArray());
            Assert.Equal(fields[i], packet.FieldMemory(i).ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WriteThenRead_WholeBuffer_GivesBackTheFields(GearmanPacketType type, GearmanMagic magic, int seed)
    {
        var fields = RandomFields(type, seed);
        var bytes = Write(magic, type, fields);

        Assert.Equal(GearmanWriter.ToArray(magic, type, fields), bytes);
        Assert.Equal(GearmanWriter.HeaderLength + fields.Sum(f => f.Length) + Math.Max(fields.Length - 1, 0), bytes.Length);
        var (frames, status, rest) = ReadAll(Whole(bytes));
        Assert.Equal(GearmanReadStatus.Packet, status);
        Assert.True(rest.IsEmpty);
        AssertPacket(Assert.Single(frames), magic, type, fields);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryProperPrefix_IsIncomplete_AndLeavesTheBufferAlone(GearmanPacketType type, GearmanMagic magic, int seed)
    {
        var fields = RandomFields(type, seed);
        var bytes = Write(magic, type, fields);

        for (var length = 0; length < bytes.Length; length++)
        {
            var buffer = OneBytePerSegment(bytes[..length]);
            var before = buffer;
            var status = GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out _, out _, out _);

            Assert.True(status == GearmanReadStatus.Incomplete, $"{length} of {bytes.Length} bytes gave {status}");
            Assert.Equal(before.Start, buffer.Start);
            Assert.Equal(before.Length, buffer.Length);
        }

        var (frames, _, rest) = ReadAll(OneBytePerSegment(bytes));
        Assert.True(rest.IsEmpty);
        AssertPacket(Assert.Single(frames), magic, type, fields);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void SplitIntoTwoSegmentsAtEveryPosition_ReadsTheSame(GearmanPacketType type, GearmanMagic magic, int seed)
    {
        var fields = RandomFields(type, seed);
        var bytes = Write(magic, type, fields);

        for (var at = 0; at <= bytes.Length; at++)
        {
            var (frames, status, rest) = ReadAll(Split(bytes, at));

            Assert.True(status == GearmanReadStatus.Packet, $"split at {at}: {status}");
            Assert.True(rest.IsEmpty, $"split at {at}: {rest.Length} bytes left");
            AssertPacket(Assert.Single(frames), magic, type, fields);
        }
    }

    [Fact]
    public void EveryTypeBackToBack_InOneBuffer_AndInRandomSegments_ComesBackInOrder()
    {
        var expected = new List<(GearmanMagic Magic, GearmanPacketType Type, byte[][] Fields)>();
        foreach (var type in Enum.GetValues<GearmanPacketType>())
            for (var seed = 1; seed <= 3; seed++)
                expected.Add((seed % 2 == 0 ? GearmanMagic.Response : GearmanMagic.Request, type, RandomFields(type, seed)));
        var all = Concat(expected.Select(e => Write(e.Magic, e.Type, e.Fields)).ToArray());

        var random = new Random(42);
        var cuts = Enumerable.Range(0, 60).Select(_ => random.Next(all.Length + 1)).Append(0).Append(all.Length).Distinct().Order().ToArray();
        var pieces = cuts.Zip(cuts.Skip(1), (from, to) => all[from..to]).ToArray();

        foreach (var buffer in new[] { Whole(all), Segments(pieces) })
        {
            var (frames, _, rest) = ReadAll(buffer);

            Assert.True(rest.IsEmpty);
            Assert.Equal(expected.Count, frames.Count);
            for (var i = 0; i < expected.Count; i++) AssertPacket(frames[i], expected[i].Magic, expected[i].Type, expected[i].Fields);
        }
    }

    [Fact]
    public void TwoPacketsWhereOnlyPartOfTheSecondHasArrived_ReadsTheFirstAndLeavesTheRest()
    {
        var first = Write(GearmanMagic.Request, GearmanPacketType.CanDo, [Ascii("reverse")]);
        var second = Write(GearmanMagic.Request, GearmanPacketType.SubmitJob, [Ascii("reverse"), [], Ascii("payload")]);
        var buffer = Whole(Concat(first, second[..15]));

        Assert.Equal(GearmanReadStatus.Packet, GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out _, out _));
        Assert.Equal("reverse", packet.FieldString(0));
        Assert.Equal(15, buffer.Length);
        Assert.Equal(GearmanReadStatus.Incomplete, GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out _, out _, out _));
        Assert.Equal(15, buffer.Length);
    }
}
