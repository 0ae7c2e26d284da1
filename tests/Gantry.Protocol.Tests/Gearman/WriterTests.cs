using System.Buffers;
using Gantry.Protocol.Gearman;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>
/// The writer's own promises: one exact-size GetSpan and one Advance per frame (no intermediate buffer, never half a
/// packet), single NULs between fields and none after the last, ERROR packets the reader understands.
/// </summary>
public sealed class WriterTests
{
    [Fact]
    public void EveryOverload_AsksOnceForTheExactFrameSize_AndAdvancesOnce()
    {
        var f = Ascii("abc");
        var writes = new (int BodyLength, Action<IBufferWriter<byte>> Write)[]
        {
            (0, o => GearmanWriter.Write(o, GearmanMagic.Request, GearmanPacketType.GrabJob)),
            (3, o => GearmanWriter.Write(o, GearmanMagic.Request, GearmanPacketType.CanDo, f)),
            (7, o => GearmanWriter.Write(o, GearmanMagic.Request, GearmanPacketType.WorkComplete, f, f)),
            (11, o => GearmanWriter.Write(o, GearmanMagic.Request, GearmanPacketType.SubmitJob, f, f, f)),
            (15, o => GearmanWriter.Write(o, GearmanMagic.Response, GearmanPacketType.JobAssignUniq, f, f, f, f)),
            (19, o => GearmanWriter.Write(o, GearmanMagic.Response, GearmanPacketType.JobAssignAll, f, f, f, f, f)),
            (23, o => GearmanWriter.Write(o, GearmanMagic.Response, GearmanPacketType.StatusResUnique, f, f, f, f, f, f)),
            (12, o => GearmanWriter.WriteError(o, "CODE", "message")),
        };

        foreach (var (bodyLength, write) in writes)
        {
            var output = new RecordingBufferWriter();
            write(output);

            Assert.Equal([12 + bodyLength], output.SizeHints);
            Assert.Equal([12 + bodyLength], output.Advances);
            Assert.Equal(12 + bodyLength, output.Written.Length);
        }
    }

    [Fact]
    public void Fields_AreJoinedBySingleNuls_WithNoTrailingNul()
    {
        var output = new ArrayBufferWriter<byte>();
        GearmanWriter.Write(output, GearmanMagic.Response, GearmanPacketType.StatusRes, Ascii("H:x:1"), Ascii("1"), [], Ascii("3"), Ascii("4"));

        Assert.Equal(Ascii("H:x:1\u00001\u0000\u00003\u00004"), output.WrittenSpan[12..].ToArray());
        Assert.Equal(Convert.ToHexString(FromHex("00 52 45 53  00 00 00 14  00 00 00 0c")), Convert.ToHexString(output.WrittenSpan[..12]));
    }

    [Fact]
    public void OneFieldOverload_ForwardsABodyUnchanged_NulsIncluded()
    {
        // How the server passes a worker's WORK_COMPLETE on to the client: same body, response magic.
        var fromWorker = GearmanWriter.ToArray(GearmanMagic.Request, GearmanPacketType.WorkComplete, Ascii("H:x:1"), [1, 0, 2, 0]);
        var buffer = Whole(fromWorker);
        GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out _, out _);

        var output = new ArrayBufferWriter<byte>();
        GearmanWriter.Write(output, GearmanMagic.Response, packet.Type, packet.Body.Span);

        var expected = (byte[])fromWorker.Clone();
        expected[3] = (byte)'S';
        Assert.Equal(expected, output.WrittenSpan.ToArray());
    }

    [Fact]
    public void WriteError_IsAResponseErrorPacketWithCodeAndMessage()
    {
        var output = new ArrayBufferWriter<byte>();
        GearmanWriter.WriteError(output, "PACKET_TOO_LARGE", "packet body of 20000000 bytes exceeds the limit — über");

        var buffer = Whole(output.WrittenSpan.ToArray());
        Assert.Equal(GearmanReadStatus.Packet, GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out _, out _));
        Assert.Equal((GearmanMagic.Response, GearmanPacketType.Error), (packet.Magic, packet.Type));
        Assert.Equal("PACKET_TOO_LARGE", packet.FieldString(0));
        Assert.Equal("packet body of 20000000 bytes exceeds the limit — über", packet.FieldString(1));
        Assert.True(buffer.IsEmpty);
    }

    [Fact]
    public void WriteError_RefusesACodeContainingANul() =>
        Assert.Throws<ArgumentException>(() => GearmanWriter.WriteError(new ArrayBufferWriter<byte>(), "A\0B", "m"));

    [Fact]
    public void WriteText_WritesTheTextAsIs_AddingNoLineEnding()
    {
        var output = new RecordingBufferWriter();
        GearmanWriter.WriteText(output, "reverse\t0\t0\t1\n.\n");

        Assert.Equal(Ascii("reverse\t0\t0\t1\n.\n"), output.Written.ToArray());
        Assert.Equal([16], output.SizeHints);
    }

    [Fact]
    public void WriteText_NonAsciiFunctionNames_GoOutAsUtf8()
    {
        var output = new ArrayBufferWriter<byte>();
        GearmanWriter.WriteText(output, "café\n");

        Assert.Equal(System.Text.Encoding.UTF8.GetBytes("café\n"), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void ToArray_NoFields_IsAHeaderWithZeroLength() =>
        Assert.Equal(FromHex("00 52 45 51  00 00 00 09  00 00 00 00"), GearmanWriter.ToArray(GearmanMagic.Request, GearmanPacketType.GrabJob));

    [Fact]
    public void ToArray_EightFields_ForSubmitJobSched()
    {
        var bytes = GearmanWriter.ToArray(GearmanMagic.Request, GearmanPacketType.SubmitJobSched,
            Ascii("f"), Ascii("u"), Ascii("0"), Ascii("1"), Ascii("2"), Ascii("3"), Ascii("4"), Ascii("data"));

        Assert.Equal(Ascii("f\0u\u00000\u00001\u00002\u00003\u00004\0data"), bytes[12..]);
        Assert.Equal(18, bytes[11]);
        Assert.Equal(0x23, bytes[7]);
    }
}
