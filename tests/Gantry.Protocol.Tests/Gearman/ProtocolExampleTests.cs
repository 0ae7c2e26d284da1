using System.Buffers;
using Gantry.Protocol.Gearman;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>
/// The "reverse" exchange from gearmand's PROTOCOL file, byte for byte: the writer must produce exactly these bytes
/// and the reader must give back exactly these fields. The hex is the document's, so a wrong header order, a
/// little-endian number or a trailing NUL fails here.
/// </summary>
public sealed class ProtocolExampleTests
{
    private const string Reverse = "reverse";
    private const string Handle = "H:lap:1";

    public static TheoryData<string, string> Exchange => new()
    {
        { "CanDo", "00 52 45 51  00 00 00 01  00 00 00 07  72 65 76 65 72 73 65" },
        { "GrabJob", "00 52 45 51  00 00 00 09  00 00 00 00" },
        { "NoJob", "00 52 45 53  00 00 00 0a  00 00 00 00" },
        { "PreSleep", "00 52 45 51  00 00 00 04  00 00 00 00" },
        { "SubmitJob", "00 52 45 51  00 00 00 07  00 00 00 0d  72 65 76 65 72 73 65 00  00  74 65 73 74" },
        { "JobCreated", "00 52 45 53  00 00 00 08  00 00 00 07  48 3a 6c 61 70 3a 31" },
        { "Noop", "00 52 45 53  00 00 00 06  00 00 00 00" },
        { "JobAssign", "00 52 45 53  00 00 00 0b  00 00 00 14  48 3a 6c 61 70 3a 31 00  72 65 76 65 72 73 65 00  74 65 73 74" },
        { "WorkCompleteFromWorker", "00 52 45 51  00 00 00 0d  00 00 00 0c  48 3a 6c 61 70 3a 31 00  74 73 65 74" },
        { "WorkCompleteToClient", "00 52 45 53  00 00 00 0d  00 00 00 0c  48 3a 6c 61 70 3a 31 00  74 73 65 74" },
    };

    private static byte[] Write(string step)
    {
        var output = new ArrayBufferWriter<byte>();
        var req = GearmanMagic.Request;
        var res = GearmanMagic.Response;
        switch (step)
        {
            case "CanDo": GearmanWriter.Write(output, req, GearmanPacketType.CanDo, Ascii(Reverse)); break;
            case "GrabJob": GearmanWriter.Write(output, req, GearmanPacketType.GrabJob); break;
            case "NoJob": GearmanWriter.Write(output, res, GearmanPacketType.NoJob); break;
            case "PreSleep": GearmanWriter.Write(output, req, GearmanPacketType.PreSleep); break;
            case "SubmitJob": GearmanWriter.Write(output, req, GearmanPacketType.SubmitJob, Ascii(Reverse), [], Ascii("test")); break;
            case "JobCreated": GearmanWriter.Write(output, res, GearmanPacketType.JobCreated, Ascii(Handle)); break;
            case "Noop": GearmanWriter.Write(output, res, GearmanPacketType.Noop); break;
            case "JobAssign": GearmanWriter.Write(output, res, GearmanPacketType.JobAssign, Ascii(Handle), Ascii(Reverse), Ascii("test")); break;
            case "WorkCompleteFromWorker": GearmanWriter.Write(output, req, GearmanPacketType.WorkComplete, Ascii(Handle), Ascii("tset")); break;
            case "WorkCompleteToClient": GearmanWriter.Write(output, res, GearmanPacketType.WorkComplete, Ascii(Handle), Ascii("tset")); break;
            default: throw new ArgumentOutOfRangeException(nameof(step), step, null);
        }
        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [MemberData(nameof(Exchange))]
    public void Writer_ProducesTheDocumentedBytes(string step, string hex) =>
        Assert.Equal(Convert.ToHexString(FromHex(hex)), Convert.ToHexString(Write(step)));

    [Theory]
    [MemberData(nameof(Exchange))]
    public void ToArray_ProducesTheSameBytesAsWrite(string step, string hex)
    {
        var expected = FromHex(hex);
        var packet = ReadOne(expected);
        var fields = Enumerable.Range(0, packet.FieldCount).Select(i => packet.Field(i).ToArray()).ToArray();

        Assert.Equal(expected, GearmanWriter.ToArray(packet.Magic, packet.Type, fields));
        Assert.Equal(expected, Write(step));
    }

    [Fact]
    public void Reader_CanDo_GivesTheFunctionName()
    {
        var packet = ReadOne(FromHex("00 52 45 51  00 00 00 01  00 00 00 07  72 65 76 65 72 73 65"));

        Assert.Equal((GearmanMagic.Request, GearmanPacketType.CanDo, 1), (packet.Magic, packet.Type, packet.FieldCount));
        Assert.Equal(Reverse, packet.FieldString(0));
    }

    [Theory]
    [InlineData("00 52 45 51  00 00 00 09  00 00 00 00", GearmanMagic.Request, GearmanPacketType.GrabJob)]
    [InlineData("00 52 45 53  00 00 00 0a  00 00 00 00", GearmanMagic.Response, GearmanPacketType.NoJob)]
    [InlineData("00 52 45 51  00 00 00 04  00 00 00 00", GearmanMagic.Request, GearmanPacketType.PreSleep)]
    [InlineData("00 52 45 53  00 00 00 06  00 00 00 00", GearmanMagic.Response, GearmanPacketType.Noop)]
    public void Reader_EmptyPackets_HaveNoFieldsAndNoBody(string hex, GearmanMagic magic, GearmanPacketType type)
    {
        var packet = ReadOne(FromHex(hex));

        Assert.Equal((magic, type, 0, 0), (packet.Magic, packet.Type, packet.FieldCount, packet.Body.Length));
    }

    [Fact]
    public void Reader_SubmitJob_GivesFunctionEmptyUniqueAndWorkload()
    {
        var packet = ReadOne(FromHex("00 52 45 51  00 00 00 07  00 00 00 0d  72 65 76 65 72 73 65 00  00  74 65 73 74"));

        Assert.Equal(GearmanPacketType.SubmitJob, packet.Type);
        Assert.Equal(3, packet.FieldCount);
        Assert.Equal(Reverse, packet.FieldString(0));
        Assert.Equal(0, packet.Field(1).Length);
        Assert.Equal("test", packet.FieldString(2));
    }

    [Fact]
    public void Reader_JobCreated_GivesTheHandle()
    {
        var packet = ReadOne(FromHex("00 52 45 53  00 00 00 08  00 00 00 07  48 3a 6c 61 70 3a 31"));

        Assert.Equal((GearmanMagic.Response, GearmanPacketType.JobCreated), (packet.Magic, packet.Type));
        Assert.Equal(Handle, packet.FieldString(0));
    }

    [Fact]
    public void Reader_JobAssign_GivesHandleFunctionAndWorkload()
    {
        var packet = ReadOne(FromHex("00 52 45 53  00 00 00 0b  00 00 00 14  48 3a 6c 61 70 3a 31 00  72 65 76 65 72 73 65 00  74 65 73 74"));

        Assert.Equal(GearmanPacketType.JobAssign, packet.Type);
        Assert.Equal([Handle, Reverse, "test"], [packet.FieldString(0), packet.FieldString(1), packet.FieldString(2)]);
    }

    [Theory]
    [InlineData("00 52 45 51", GearmanMagic.Request)]
    [InlineData("00 52 45 53", GearmanMagic.Response)]
    public void Reader_WorkComplete_GivesHandleAndResultInEitherDirection(string magicHex, GearmanMagic magic)
    {
        var packet = ReadOne(FromHex(magicHex + "  00 00 00 0d  00 00 00 0c  48 3a 6c 61 70 3a 31 00  74 73 65 74"));

        Assert.Equal((magic, GearmanPacketType.WorkComplete), (packet.Magic, packet.Type));
        Assert.Equal(Handle, packet.FieldString(0));
        Assert.Equal("tset", packet.FieldString(1));
    }

    [Fact]
    public void Reader_TheWholeExchangeInOneBuffer_ComesBackInOrder()
    {
        var all = Concat(Exchange.Select(row => FromHex((string)row[1])).ToArray());

        var (frames, _, rest) = ReadAll(OneBytePerSegment(all));

        Assert.True(rest.IsEmpty);
        Assert.Equal(
            ["CAN_DO", "GRAB_JOB", "NO_JOB", "PRE_SLEEP", "SUBMIT_JOB", "JOB_CREATED", "NOOP", "JOB_ASSIGN", "WORK_COMPLETE", "WORK_COMPLETE"],
            frames.Cast<GearmanPacket>().Select(p => GearmanPacketTypes.Name(p.Type)));
    }

    private static GearmanPacket ReadOne(byte[] bytes)
    {
        var buffer = Whole(bytes);
        var status = GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out var line, out var error);

        Assert.Equal(GearmanReadStatus.Packet, status);
        Assert.Null(line);
        Assert.Equal(default, error);
        Assert.True(buffer.IsEmpty, "the reader must consume exactly one packet");
        return packet;
    }
}
