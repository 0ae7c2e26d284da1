using System.Buffers;
using System.Text;
using Gantry.Protocol.Stomp;
using Gantry.Protocol.Tests.Gearman;
using Xunit;
using static Gantry.Protocol.Tests.Stomp.StompBytes;

namespace Gantry.Protocol.Tests.Stomp;

/// <summary>The writer byte for byte: LF line ends, escapes where they apply, content-length owned by the writer, one NUL.</summary>
public sealed class WriterTests
{
    private static string Written(StompCommand command, StompHeader[] headers, string body = "", bool contentLengthWhenEmpty = false, bool escape = true)
    {
        var output = new ArrayBufferWriter<byte>();
        StompWriter.Write(output, command, headers, Utf8(body), escape, contentLengthWhenEmpty);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Fact]
    public void FrameWithoutBody_IsCommandHeadersBlankLineNul()
    {
        Assert.Equal("SUBSCRIBE\nid:0\ndestination:/queue/a\nack:client\n\n\0",
            Written(StompCommand.Subscribe, [new("id", "0"), new("destination", "/queue/a"), new("ack", "client")]));
    }

    [Fact]
    public void FrameWithoutHeadersOrBody_IsCommandAndTwoLineFeeds()
    {
        Assert.Equal("DISCONNECT\n\n\0", Written(StompCommand.Disconnect, []));
    }

    [Fact]
    public void Message_WithBody_GetsContentLength_AfterTheCallersHeaders()
    {
        Assert.Equal("MESSAGE\nsubscription:0\nmessage-id:7\ndestination:/topic/t\ncontent-length:5\n\nhello\0",
            Written(StompCommand.Message, [new("subscription", "0"), new("message-id", "7"), new("destination", "/topic/t")], "hello"));
    }

    [Fact]
    public void ContentLength_CountsUtf8Bytes_NotCharacters()
    {
        Assert.Equal("SEND\ndestination:/q\ncontent-length:6\n\nnaïve\0", Written(StompCommand.Send, [new("destination", "/q")], "naïve"));
    }

    [Fact]
    public void CallersContentLength_IsReplacedByTheTrueOne()
    {
        Assert.Equal("SEND\na:1\nb:2\ncontent-length:3\n\nabc\0",
            Written(StompCommand.Send, [new("a", "1"), new("content-length", "999"), new("b", "2")], "abc"));
    }

    [Fact]
    public void EmptyBody_HasNoContentLength_UnlessAsked()
    {
        Assert.Equal("RECEIPT\nreceipt-id:r1\n\n\0", Written(StompCommand.Receipt, [new("receipt-id", "r1")]));
        Assert.Equal("RECEIPT\nreceipt-id:r1\ncontent-length:0\n\n\0",
            Written(StompCommand.Receipt, [new("receipt-id", "r1")], contentLengthWhenEmpty: true));
    }

    [Fact]
    public void BodyWithNul_IsWrittenWhole()
    {
        var output = new ArrayBufferWriter<byte>();
        StompWriter.Write(output, StompCommand.Message, [], new byte[] { 1, 0, 2 });
        Assert.Equal(Utf8("MESSAGE\ncontent-length:3\n\n").Concat(new byte[] { 1, 0, 2, 0 }), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void Headers_AreEscaped_InEveryFrameButConnectAndConnected()
    {
        Assert.Equal("SEND\na\\cb:x\\\\y\\nz\\r\n\n\0", Written(StompCommand.Send, [new("a:b", "x\\y\nz\r")]));
        Assert.Equal("ERROR\nmessage:bad\\cthing\n\n\0", Written(StompCommand.Error, [new("message", "bad:thing")]));
        Assert.Equal("CONNECT\npasscode:a\\b:c\n\n\0", Written(StompCommand.Connect, [new("passcode", "a\\b:c")]));
        Assert.Equal("CONNECTED\nversion:1.2\nserver:x\\y\n\n\0", Written(StompCommand.Connected, [new("version", "1.2"), new("server", "x\\y")]));
    }

    [Fact]
    public void HeaderText_IsUtf8_AndNotTrimmed()
    {
        Assert.Equal("SEND\n key : värde \n\n\0", Written(StompCommand.Send, [new(" key ", " värde ")]));
    }

    [Fact]
    public void WithoutEscaping_WhatCannotBeWrittenAsIs_IsRefused()
    {
        Assert.Throws<ArgumentException>(() => Written(StompCommand.Connect, [new("login", "a\nb")]));
        Assert.Throws<ArgumentException>(() => Written(StompCommand.Connected, [new("a:b", "c")]));
        Assert.Throws<ArgumentException>(() => Written(StompCommand.Send, [new("x", "a\rb")], escape: false));
        Assert.Throws<ArgumentException>(() => Written(StompCommand.Send, [new("", "v")]));
        Assert.Equal("SEND\nx:a\\b\n\n\0", Written(StompCommand.Send, [new("x", "a\\b")], escape: false));
    }

    [Fact]
    public void HeartBeat_IsOneLineFeed()
    {
        var output = new ArrayBufferWriter<byte>();
        StompWriter.WriteHeartBeat(output);
        Assert.Equal("\n"u8.ToArray(), output.WrittenSpan.ToArray());
    }

    [Fact]
    public void SmallFrame_AsksForOneSpanOfTheExactSize_AndAdvancesOnce()
    {
        var output = new RecordingBufferWriter();
        StompWriter.Write(output, StompCommand.Send, [new("destination", "/q")], "hi"u8);

        var expected = "SEND\ndestination:/q\ncontent-length:2\n\nhi\0"u8.ToArray();
        Assert.Equal(expected, output.Written.ToArray());
        Assert.Equal([expected.Length], output.SizeHints);
        Assert.Equal([expected.Length], output.Advances);
    }

    [Fact]
    public void LargeBody_IsCopiedInTheSpansTheOutputOffers_NeverOneHugeSpan()
    {
        var body = Enumerable.Range(0, 100_000).Select(i => (byte)(i % 251)).ToArray();
        var output = new RecordingBufferWriter();
        StompWriter.Write(output, StompCommand.Message, [new("destination", "/q")], body);

        Assert.Equal(Utf8("MESSAGE\ndestination:/q\ncontent-length:100000\n\n").Concat(body).Append((byte)0), output.Written.ToArray());
        Assert.All(output.SizeHints, hint => Assert.True(hint < 1000, $"asked for {hint} bytes"));
    }

    [Fact]
    public void FrameOverload_WritesTheFramesHeadersAndBody()
    {
        var frame = new StompFrame(StompCommand.Ack, [new("id", "12"), new("transaction", "tx")]);
        Assert.Equal("ACK\nid:12\ntransaction:tx\n\n\0"u8.ToArray(), StompWriter.ToArray(frame));
    }
}
