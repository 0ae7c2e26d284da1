using Gantry.Protocol.Stomp;
using Xunit;
using static Gantry.Protocol.Tests.Stomp.StompBytes;

namespace Gantry.Protocol.Tests.Stomp;

/// <summary>
/// Garbage the server must refuse with an ERROR frame and a reason a person can act on (DESIGN.md, "Promises"); each
/// message is one line, fit for the ERROR frame's <c>message</c> header (ReadError checks that).
/// </summary>
public sealed class ReaderErrorTests
{
    [Fact]
    public void UnknownCommand_NamesWhatArrived_AndWhatWouldDo()
    {
        var error = ReadError(Utf8("PUBLISH\n\n\0"));

        Assert.Equal(StompProtocolErrorCodes.UnknownCommand, error.Code);
        Assert.Contains("\"PUBLISH\"", error.Message);
        Assert.Contains("CONNECT, STOMP, CONNECTED, SEND", error.Message);
    }

    [Fact]
    public void UnknownCommand_ShowsControlBytesEscaped()
    {
        var error = ReadError([0x16, 0x03, 0x01, (byte)'\n']); // a TLS client hello's first bytes, then a line end

        Assert.Contains("\\x16\\x03\\x01", error.Message);
    }

    [Fact]
    public void ANulWhereACommandShouldBe_IsAnUnknownCommand()
    {
        Assert.Equal(StompProtocolErrorCodes.UnknownCommand, ReadError(Utf8("\0\n")).Code);
    }

    [Theory]
    [InlineData("SEND\ndestination\n\n\0", "has no colon")]
    [InlineData("SEND\n:value\n\n\0", "has an empty name")]
    [InlineData("SEND\nx:a\rb\n\n\0", "CR that does not end the line")]
    public void BadHeaderLines_AreInvalidHeader(string input, string reason)
    {
        var error = ReadError(Utf8(input));

        Assert.Equal(StompProtocolErrorCodes.InvalidHeader, error.Code);
        Assert.Contains(reason, error.Message);
        Assert.Contains("SEND header line 1", error.Message);
    }

    [Fact]
    public void HeaderThatIsNotUtf8_IsInvalidHeader()
    {
        var error = ReadError([.. Utf8("SEND\ndestination:"), 0xff, 0xfe, .. Utf8("\n\n\0")]);

        Assert.Equal(StompProtocolErrorCodes.InvalidHeader, error.Code);
        Assert.Contains("not valid UTF-8", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+3")]
    [InlineData(" 3")]
    [InlineData("3 ")]
    [InlineData("0x10")]
    [InlineData("1.5")]
    [InlineData("three")]
    public void ContentLength_ThatIsNotADecimalNumber_IsInvalid(string value)
    {
        var error = ReadError(Utf8($"SEND\ncontent-length:{value}\n\nabc\0"));

        Assert.Equal(StompProtocolErrorCodes.InvalidContentLength, error.Code);
        Assert.Contains("content-length", error.Message);
    }

    [Theory]
    [InlineData("SEND\ncontent-length:2\n\nabc\0", "0x63")]
    [InlineData("SEND\ncontent-length:3\n\nab\0\n", "0x0a")]
    public void ContentLengthBody_NotFollowedByNul_IsMissingNul(string input, string seen)
    {
        var error = ReadError(Utf8(input));

        Assert.Equal(StompProtocolErrorCodes.MissingNul, error.Code);
        Assert.Contains(seen, error.Message);
    }

    [Fact]
    public void AfterAnError_TheReaderStartsAfresh()
    {
        var reader = new StompReader();
        var bad = Gearman.Bytes.Whole(Utf8("SEND\nbad\n\n\0"));
        Assert.Equal(StompReadStatus.Error, reader.TryRead(ref bad, out _, out _));

        Assert.Equal(StompCommand.Ack, ReadOne(Utf8("ACK\nid:1\n\n\0"), reader).Command);
    }
}
