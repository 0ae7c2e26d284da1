using System.Buffers;
using Gantry.Protocol.Gearman;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>
/// The admin text protocol (<c>status</c>, <c>workers</c>, <c>version</c>…) shares the port with the binary one: a
/// frame not starting with NUL is a line. Monitoring tools send "\n" or "\r\n" endings, and one connection may
/// switch between text and binary from one frame to the next.
/// </summary>
public sealed class AdminLineTests
{
    [Theory]
    [InlineData("status\n", "status")]
    [InlineData("status\r\n", "status")]
    [InlineData("maxqueue reverse 10\n", "maxqueue reverse 10")]
    [InlineData("\n", "")]
    [InlineData("\r\n", "")]
    [InlineData("two\r\r\n", "two\r")] // only one trailing CR belongs to the line ending
    [InlineData("in\rside\n", "in\rside")]
    public void Line_IsReturnedWithoutItsEnding_AndConsumedWithIt(string input, string expected)
    {
        var buffer = Whole(Ascii(input + "rest"));

        var status = GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out var line, out var error);

        Assert.Equal(GearmanReadStatus.AdminLine, status);
        Assert.Equal(expected, line);
        Assert.Equal("rest", System.Text.Encoding.ASCII.GetString(buffer.ToArray()));
        Assert.Equal(default, packet);
        Assert.Equal(default, error);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("status\r")]
    [InlineData("s")]
    public void LineWithoutNewline_IsIncomplete_AndLeavesTheBufferAlone(string input)
    {
        var buffer = Whole(Ascii(input));

        Assert.Equal(GearmanReadStatus.Incomplete, GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out _, out var line, out _));
        Assert.Null(line);
        Assert.Equal(input.Length, buffer.Length);
    }

    [Fact]
    public void LineFedByteByByte_IsIncompleteUntilTheNewline_InEverySegmentLayout()
    {
        var bytes = Ascii("workers\r\n");
        for (var length = 1; length < bytes.Length; length++)
        {
            var prefix = OneBytePerSegment(bytes[..length]);
            Assert.Equal(GearmanReadStatus.Incomplete, GearmanReader.TryRead(ref prefix, GearmanReadLimits.Default, out _, out _, out _));
            Assert.Equal(length, prefix.Length);
        }

        foreach (var buffer in Enumerable.Range(0, bytes.Length + 1).Select(at => Split(bytes, at)).Append(OneBytePerSegment(bytes)))
        {
            var (frames, status, rest) = ReadAll(buffer);
            Assert.Equal(GearmanReadStatus.AdminLine, status);
            Assert.True(rest.IsEmpty);
            Assert.Equal("workers", Assert.Single(frames));
        }
    }

    [Fact]
    public void TextThenBinaryThenText_OnOneConnection_AreEachRecognised()
    {
        var binary = GearmanWriter.ToArray(GearmanMagic.Request, GearmanPacketType.EchoReq, Ascii("ping"));
        var all = Concat(Ascii("status\n"), binary, Ascii("version\r\n"), binary);

        foreach (var buffer in new[] { Whole(all), OneBytePerSegment(all) })
        {
            var (frames, _, rest) = ReadAll(buffer);

            Assert.True(rest.IsEmpty);
            Assert.Equal(4, frames.Count);
            Assert.Equal("status", frames[0]);
            Assert.Equal("ping", Assert.IsType<GearmanPacket>(frames[1]).FieldString(0));
            Assert.Equal("version", frames[2]);
            Assert.Equal(GearmanPacketType.EchoReq, Assert.IsType<GearmanPacket>(frames[3]).Type);
        }
    }

    [Fact]
    public void NonAsciiLine_IsDecodedAsUtf8()
    {
        var buffer = Whole(System.Text.Encoding.UTF8.GetBytes("maxqueue café 3\n"));

        Assert.Equal(GearmanReadStatus.AdminLine, GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out _, out var line, out _));
        Assert.Equal("maxqueue café 3", line);
    }

    [Fact]
    public void LineOfExactlyTheLimit_IsAccepted_WithEitherEnding()
    {
        var limits = new GearmanReadLimits { MaxAdminLineBytes = 8 };
        foreach (var ending in new[] { "\n", "\r\n" })
        {
            var buffer = Whole(Ascii("12345678" + ending));

            Assert.Equal(GearmanReadStatus.AdminLine, GearmanReader.TryRead(ref buffer, limits, out _, out var line, out _));
            Assert.Equal("12345678", line);
        }
    }

    [Theory]
    [InlineData("123456789\n")]
    [InlineData("123456789\r\n")]
    public void LineOneOverTheLimit_IsRefused_EvenWithItsNewline(string input)
    {
        var buffer = Whole(Ascii(input));

        Assert.Equal(GearmanReadStatus.Error, GearmanReader.TryRead(ref buffer, new GearmanReadLimits { MaxAdminLineBytes = 8 }, out _, out _, out var error));
        Assert.Equal("LINE_TOO_LONG", error.Code);
    }

    [Fact]
    public void OverlongLineWithoutNewline_IsRefusedWithoutWaitingForTheEnd()
    {
        var limits = new GearmanReadLimits { MaxAdminLineBytes = 8 };
        var justUnder = Whole(Ascii("123456789")); // 8 + a possible "\r": still undecided
        var over = OneBytePerSegment(Ascii("1234567890"));

        Assert.Equal(GearmanReadStatus.Incomplete, GearmanReader.TryRead(ref justUnder, limits, out _, out _, out _));
        Assert.Equal(GearmanReadStatus.Error, GearmanReader.TryRead(ref over, limits, out _, out var line, out var error));
        Assert.Null(line);
        Assert.Equal(10, over.Length);
        Assert.Equal("LINE_TOO_LONG", error.Code);
        Assert.Contains("8 bytes", error.Message);
        Assert.Contains("Gantry:Gearman:MaxAdminLineBytes", error.Message);
    }

    [Fact]
    public void DefaultLimit_RefusesAStreamOfTextThatNeverEnds()
    {
        var buffer = Whole(Enumerable.Repeat((byte)'x', 1024 * 1024).ToArray());

        Assert.Equal(GearmanReadStatus.Error, GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out _, out _, out var error));
        Assert.Equal(GearmanProtocolErrorCodes.LineTooLong, error.Code);
    }
}
