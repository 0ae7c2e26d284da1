using System.Runtime.InteropServices;
using Gantry.Protocol.Gearman;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>Field access on a packet, and the ownership promise: the body outlives the read buffer.</summary>
public sealed class PacketTests
{
    [Fact]
    public void Fields_SplitAtTheFirstSeparators_AndTheLastTakesTheRest()
    {
        var packet = new GearmanPacket(GearmanMagic.Request, GearmanPacketType.SubmitJob, Ascii("fn\0uniq\0a\0b\0"));

        Assert.Equal("fn", packet.FieldString(0));
        Assert.Equal("uniq", packet.FieldString(1));
        Assert.Equal(Ascii("a\0b\0"), packet.Field(2).ToArray());
        Assert.Equal(Ascii("a\0b\0"), packet.FieldMemory(2).ToArray());
    }

    [Fact]
    public void OneFieldType_TheWholeBodyIsTheField_EvenWithNuls()
    {
        var packet = new GearmanPacket(GearmanMagic.Request, GearmanPacketType.EchoReq, Ascii("\0x\0"));

        Assert.Equal(Ascii("\0x\0"), packet.Field(0).ToArray());
    }

    [Fact]
    public void FieldMemory_SharesTheBody_WithoutCopying()
    {
        var body = Ascii("H:1\0result");
        var packet = new GearmanPacket(GearmanMagic.Request, GearmanPacketType.WorkComplete, body);

        Assert.True(MemoryMarshal.TryGetArray(packet.FieldMemory(1), out var segment));
        Assert.Same(body, segment.Array);
        Assert.Equal(4, segment.Offset);
    }

    [Fact]
    public void HandBuiltBodyWithTooFewSeparators_GivesEmptyMissingFields()
    {
        var packet = new GearmanPacket(GearmanMagic.Request, GearmanPacketType.SubmitJob, Ascii("fn"));

        Assert.Equal("fn", packet.FieldString(0));
        Assert.Equal(0, packet.Field(1).Length);
        Assert.Equal(0, packet.Field(2).Length);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void FieldIndexOutsideTheType_Throws(int index)
    {
        var packet = new GearmanPacket(GearmanMagic.Request, GearmanPacketType.SubmitJob, Ascii("a\0b\0c"));

        Assert.Throws<ArgumentOutOfRangeException>(() => packet.FieldMemory(index));
    }

    [Fact]
    public void ZeroFieldType_HasNoFieldZero()
    {
        var packet = new GearmanPacket(GearmanMagic.Request, GearmanPacketType.Noop, default);

        Assert.Equal(0, packet.FieldCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => packet.FieldMemory(0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(43)]
    public void Constructor_RefusesUnknownTypes(int type) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new GearmanPacket(GearmanMagic.Request, (GearmanPacketType)type, default));

    [Fact]
    public void DefaultPacket_HasNoFields_AndDoesNotThrowWhenPrinted()
    {
        var packet = default(GearmanPacket);

        Assert.Equal(0, packet.FieldCount);
        Assert.Equal("REQ UNKNOWN(0) (0 bytes)", packet.ToString());
    }

    [Fact]
    public void ToString_ShowsDirectionTypeAndSizeButNotTheBody() =>
        Assert.Equal("RES WORK_COMPLETE (10 bytes)",
            new GearmanPacket(GearmanMagic.Response, GearmanPacketType.WorkComplete, Ascii("H:1\0secret")).ToString());

    [Fact]
    public void ReadPacket_OwnsItsBody_SoReusingTheInputBufferDoesNotChangeIt()
    {
        var input = GearmanWriter.ToArray(GearmanMagic.Request, GearmanPacketType.SubmitJob, Ascii("fn"), [], Ascii("payload"));
        var buffer = Split(input, 17);

        Assert.Equal(GearmanReadStatus.Packet, GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out _, out _));
        Array.Fill(input, (byte)'X');

        Assert.Equal("fn", packet.FieldString(0));
        Assert.Equal("payload", packet.FieldString(2));
        Assert.True(MemoryMarshal.TryGetArray(packet.Body, out var segment));
        Assert.Equal((0, packet.Body.Length), (segment.Offset, segment.Array!.Length)); // exactly one array, just the body
    }

    [Theory]
    [InlineData(GearmanPacketType.GrabJob, new byte[0])]
    [InlineData(GearmanPacketType.EchoReq, new byte[0])]
    [InlineData(GearmanPacketType.PreSleep, new byte[] { 1, 2, 3 })] // zero-field type: its stray bytes are skipped, not copied
    public void ReadPacketWithNothingToKeep_AllocatesNothing(GearmanPacketType type, byte[] body)
    {
        var input = Concat(GearmanWriter.ToArray(GearmanMagic.Request, type, body)[..8], [0, 0, 0, (byte)body.Length], body);
        Measure(input); // warm up

        var (packet, allocated) = Measure(input);

        Assert.Equal(0, allocated);
        Assert.True(packet.Body.IsEmpty);
    }

    [Fact]
    public void ReadPacketWithABody_AllocatesOnlyTheBodyArray()
    {
        // The counterpart of the test above: proves the measurement sees an allocation when there is one.
        var input = GearmanWriter.ToArray(GearmanMagic.Request, GearmanPacketType.EchoReq, new byte[100]);
        Measure(input);

        var (packet, allocated) = Measure(input);

        Assert.Equal(100, packet.Body.Length);
        Assert.InRange(allocated, 100, 100 + 64); // the array and its object header, nothing else
    }

    /// <summary>Reads one packet and returns the bytes this thread allocated doing it, and nothing else.</summary>
    private static (GearmanPacket Packet, long Allocated) Measure(byte[] input)
    {
        var buffer = Whole(input);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var status = GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out _, out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(GearmanReadStatus.Packet, status);
        return (packet, allocated);
    }
}
