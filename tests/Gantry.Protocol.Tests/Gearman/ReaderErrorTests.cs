using System.Buffers.Binary;
using Gantry.Protocol.Gearman;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>
/// Input the server must refuse with an ERROR packet and a clear reason (DESIGN.md, "Promises"): wrong magic,
/// unknown types, oversized bodies and missing separators. An error leaves the buffer as it was.
/// </summary>
public sealed class ReaderErrorTests
{
    private static byte[] Header(string magic, uint type, uint size)
    {
        var header = new byte[12];
        Ascii(magic).CopyTo(header, 0);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), type);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), size);
        return header;
    }

    private static GearmanProtocolError ReadError(byte[] bytes, GearmanReadLimits? limits = null)
    {
        var buffer = Whole(bytes);
        var status = GearmanReader.TryRead(ref buffer, limits ?? GearmanReadLimits.Default, out var packet, out var line, out var error);

        Assert.Equal(GearmanReadStatus.Error, status);
        Assert.Equal(bytes.Length, buffer.Length);
        Assert.Equal(default, packet);
        Assert.Null(line);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        return error;
    }

    [Theory]
    [InlineData("\0REX")]
    [InlineData("\0res")]
    [InlineData("\0\0\0\0")]
    [InlineData("\0ABC")]
    [InlineData("\0RQE")]
    public void WrongMagic_IsInvalidMagic_AndNamesTheBytesSeen(string magic)
    {
        var error = ReadError(Header(magic, 1, 0));

        Assert.Equal("INVALID_MAGIC", error.Code);
        Assert.Contains("\\0REQ", error.Message);
        Assert.Contains(string.Join(" ", Ascii(magic).Select(b => b.ToString("x2"))), error.Message);
    }

    [Theory]
    [InlineData("\0X")]
    [InlineData("\0RX")]
    [InlineData("\0REZ")]
    public void WrongMagic_IsReportedAsSoonAsTheWrongByteArrives(string prefix)
    {
        Assert.Equal("INVALID_MAGIC", ReadError(Ascii(prefix)).Code);
    }

    [Theory]
    [InlineData("\0")]
    [InlineData("\0R")]
    [InlineData("\0RE")]
    [InlineData("\0RES")]
    public void CorrectMagicSoFar_IsIncomplete(string prefix)
    {
        var buffer = Whole(Ascii(prefix));

        Assert.Equal(GearmanReadStatus.Incomplete, GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out _, out _, out _));
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(5u)] // reserved and never used: refused like any unknown number
    [InlineData(43u)] // SET_WORKER_LOAD in newer libgearman; not part of this protocol level
    [InlineData(44u)]
    [InlineData(256u)]
    [InlineData(0x8000_0000u)]
    [InlineData(0xFFFF_FFFFu)]
    public void UnknownType_IsInvalidCommand_AndSaysWhichNumber(uint type)
    {
        var error = ReadError(Header("\0REQ", type, 0));

        Assert.Equal("INVALID_COMMAND", error.Code);
        Assert.Contains($"unknown packet type {type}", error.Message);
    }

    [Fact]
    public void OversizedBody_IsRefusedFromTheHeaderAlone_WithTheSizeAndTheSetting()
    {
        // Only the 12 header bytes have arrived: the reader must not wait for 20 MB to say no.
        var error = ReadError(Header("\0REQ", (uint)GearmanPacketType.SubmitJob, 20_000_000));

        Assert.Equal("PACKET_TOO_LARGE", error.Code);
        Assert.Contains("20000000", error.Message);
        Assert.Contains("16777216", error.Message);
        Assert.Contains("Gantry:Gearman:MaxPacketBytes", error.Message);
    }

    [Fact]
    public void BodyOfExactlyTheLimit_IsAccepted_AndOneMoreIsNot()
    {
        var limits = new GearmanReadLimits { MaxPacketBytes = 5 };
        var atLimit = Whole(GearmanWriter.ToArray(GearmanMagic.Request, GearmanPacketType.EchoReq, Ascii("12345")));

        Assert.Equal(GearmanReadStatus.Packet, GearmanReader.TryRead(ref atLimit, limits, out var packet, out _, out _));
        Assert.Equal("12345", packet.FieldString(0));
        Assert.Equal("PACKET_TOO_LARGE", ReadError(Header("\0REQ", (uint)GearmanPacketType.EchoReq, 6), limits).Code);
    }

    [Fact]
    public void MaximumSizeField_IsTooLargeNotAnOverflow() =>
        Assert.Equal("PACKET_TOO_LARGE", ReadError(Header("\0RES", (uint)GearmanPacketType.WorkData, uint.MaxValue)).Code);

    [Theory]
    [InlineData(GearmanPacketType.SubmitJob, "reverse\0test")] // 1 of 2 separators
    [InlineData(GearmanPacketType.SubmitJob, "reverse")]
    [InlineData(GearmanPacketType.SubmitJob, "")]
    [InlineData(GearmanPacketType.WorkComplete, "H:lap:1")]
    [InlineData(GearmanPacketType.SubmitJobSched, "f\0u\01\02\03\04\0")] // 6 of 7
    [InlineData(GearmanPacketType.StatusResUnique, "u\01\00\01\02")]
    [InlineData(GearmanPacketType.SubmitReduceJob, "f\0u\0r\0data")] // libgearman sends the aggregator field too
    public void MissingSeparators_AreInvalidPacket_AndCountThem(GearmanPacketType type, string body)
    {
        var bytes = Concat(Header("\0REQ", (uint)type, (uint)body.Length), Ascii(body));
        var error = ReadError(bytes);

        var needed = GearmanPacketTypes.FieldCount(type) - 1;
        Assert.Equal("INVALID_PACKET", error.Code);
        Assert.Contains(GearmanPacketTypes.Name(type), error.Message);
        Assert.EndsWith($"has {body.Count(c => c == '\0')}", error.Message);
        Assert.Contains($"{needed} NUL", error.Message);
    }

    [Fact]
    public void MissingSeparators_AreOnlyJudgedOnceTheWholeBodyHasArrived()
    {
        // The separators may still be on their way: a short body is incomplete, not invalid.
        var bytes = Concat(Header("\0REQ", (uint)GearmanPacketType.SubmitJob, 13), Ascii("reverse"));
        var buffer = Whole(bytes);

        Assert.Equal(GearmanReadStatus.Incomplete, GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out _, out _, out _));
    }

    [Fact]
    public void ExtraSeparators_BelongToTheLastField()
    {
        var body = Ascii("H\0a\0b\0\0c");
        var bytes = Concat(Header("\0RES", (uint)GearmanPacketType.WorkComplete, (uint)body.Length), body);
        var buffer = Whole(bytes);

        Assert.Equal(GearmanReadStatus.Packet, GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out _, out _));
        Assert.Equal("H", packet.FieldString(0));
        Assert.Equal(Ascii("a\0b\0\0c"), packet.Field(1).ToArray());
    }

    [Theory]
    [InlineData(GearmanPacketType.GrabJob)]
    [InlineData(GearmanPacketType.PreSleep)]
    [InlineData(GearmanPacketType.ResetAbilities)]
    public void ZeroFieldTypeWithBodyBytes_IsAccepted_AndTheBytesAreSkipped(GearmanPacketType type)
    {
        var bytes = Concat(Header("\0REQ", (uint)type, 3), Ascii("xyz"), Ascii("status\n"));
        var (frames, _, rest) = ReadAll(Whole(bytes));

        Assert.True(rest.IsEmpty);
        var packet = Assert.IsType<GearmanPacket>(frames[0]);
        Assert.Equal((type, 0, 0), (packet.Type, packet.FieldCount, packet.Body.Length));
        Assert.Equal("status", frames[1]);
    }

    [Fact]
    public void ErrorAfterGoodFrames_ReportsTheGoodOnesFirst()
    {
        var bytes = Concat(Ascii("status\n"), GearmanWriter.ToArray(GearmanMagic.Request, GearmanPacketType.GrabJob), Header("\0REQ", 99, 0));

        var (frames, status, rest) = ReadAll(OneBytePerSegment(bytes));

        Assert.Equal(GearmanReadStatus.Error, status);
        Assert.Equal(3, frames.Count);
        Assert.Equal("INVALID_COMMAND", Assert.IsType<GearmanProtocolError>(frames[2]).Code);
        Assert.Equal(12, rest.Length);
    }
}
