using Gantry.Protocol.Stomp;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;
using static Gantry.Protocol.Tests.Stomp.StompBytes;

namespace Gantry.Protocol.Tests.Stomp;

/// <summary>Valid input, read as the specification says: every command, both line ends, bodies with and without length.</summary>
public sealed class ReaderTests
{
    public static TheoryData<StompCommand> AllCommands()
    {
        var data = new TheoryData<StompCommand>();
        foreach (var command in Enum.GetValues<StompCommand>()) data.Add(command);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllCommands))]
    public void EveryCommand_IsRead_WithItsHeadersAndBody(StompCommand command)
    {
        var frame = ReadOne(Utf8($"{StompCommands.Name(command)}\nk:v\nother:2\n\nbody\0"));

        Assert.Equal(command, frame.Command);
        Assert.Equal([new StompHeader("k", "v"), new StompHeader("other", "2")], frame.Headers);
        Assert.Equal("body"u8.ToArray(), frame.Body.ToArray());
    }

    [Theory]
    [InlineData("send")]
    [InlineData("Send")]
    [InlineData("SEND ")]
    [InlineData(" SEND")]
    [InlineData("SENDX")]
    public void Commands_AreMatchedExactly(string line)
    {
        Assert.Equal(StompProtocolErrorCodes.UnknownCommand, ReadError(Utf8($"{line}\n\n\0")).Code);
    }

    [Fact]
    public void CrLfAndLf_ReadTheSame_EvenMixedInOneFrame()
    {
        var lf = ReadOne(Utf8("SEND\ndestination:/q\na:b\n\nx\0"));
        var crlf = ReadOne(Utf8("SEND\r\ndestination:/q\r\na:b\r\n\r\nx\0"));
        var mixed = ReadOne(Utf8("SEND\r\ndestination:/q\na:b\r\n\nx\0"));

        Assert.Equal(Describe(lf), Describe(crlf));
        Assert.Equal(Describe(lf), Describe(mixed));
    }

    [Fact]
    public void ContentLengthBody_MayHoldNuls_AndMustEndInOne()
    {
        var frame = ReadOne(Utf8("SEND\ndestination:/q\ncontent-length:5\n\na\0b\0c\0"));

        Assert.Equal("a\0b\0c"u8.ToArray(), frame.Body.ToArray());
        Assert.Equal("5", frame[StompHeaderNames.ContentLength]);
    }

    [Fact]
    public void BodyWithoutContentLength_EndsAtTheFirstNul()
    {
        var (items, last, remaining) = ReadItems(Whole(Utf8("SEND\n\nab\0cd\0")));

        Assert.Equal(["SEND||6162"], items[..1]);
        Assert.Equal(StompReadStatus.Incomplete, last); // "cd\0" waits for its line end, to be judged as a command
        Assert.Equal(3, remaining);
    }

    [Fact]
    public void ContentLengthZero_AndNoBody_AreEmptyBodies()
    {
        Assert.True(ReadOne(Utf8("SEND\ncontent-length:0\n\n\0")).Body.IsEmpty);
        Assert.True(ReadOne(Utf8("DISCONNECT\n\n\0")).Body.IsEmpty);
        Assert.Empty(ReadOne(Utf8("DISCONNECT\n\n\0")).Headers);
    }

    [Fact]
    public void ContentLength_WithLeadingZeros_IsStillDecimal()
    {
        Assert.Equal("abc"u8.ToArray(), ReadOne(Utf8("SEND\ncontent-length:003\n\nabc\0")).Body.ToArray());
    }

    [Fact]
    public void RepeatedHeaders_AreAllKept_AndTheFirstWins()
    {
        var frame = ReadOne(Utf8("MESSAGE\nfoo:World\nfoo:Hello\ndestination:/a\n\n\0"));

        Assert.Equal(3, frame.Headers.Count);
        Assert.Equal("World", frame["foo"]);
        Assert.True(frame.TryGetHeader("destination", out var destination));
        Assert.Equal("/a", destination);
        Assert.Null(frame["missing"]);
        Assert.Null(frame["Foo"]); // names are case-sensitive
    }

    [Fact]
    public void RepeatedContentLength_TheFirstDecidesTheBody()
    {
        Assert.Equal("ab"u8.ToArray(), ReadOne(Utf8("SEND\ncontent-length:2\ncontent-length:1\n\nab\0")).Body.ToArray());
    }

    [Fact]
    public void NamesAndValues_AreNotTrimmed_AndAValueMayBeEmpty()
    {
        var frame = ReadOne(Utf8("SEND\n destination : /q \nempty:\n\n\0"));

        Assert.Equal([new StompHeader(" destination ", " /q "), new StompHeader("empty", "")], frame.Headers);
    }

    [Fact]
    public void ARawColonInAValue_BelongsToTheValue()
    {
        Assert.Equal("a:b:c", ReadOne(Utf8("SEND\nx:a:b:c\n\n\0"))["x"]);
        Assert.Equal("tcp://h:61613", ReadOne(Utf8("CONNECT\nhost:tcp://h:61613\n\n\0"))["host"]);
    }

    [Fact]
    public void HeaderText_IsUtf8()
    {
        Assert.Equal("/queue/café", ReadOne(Utf8("SEND\ndestination:/queue/café\n\n\0"))["destination"]);
    }

    [Fact]
    public void SeveralFrames_InOneBuffer_AreReadInOrder()
    {
        var (items, last, remaining) = ReadItems(Whole(Utf8("SEND\na:1\n\nx\0SUBSCRIBE\nid:0\n\n\0ACK\nid:m\n\n\0")));

        Assert.Equal(["SEND|a=1|78", "SUBSCRIBE|id=0|", "ACK|id=m|"], items);
        Assert.Equal(StompReadStatus.Frame, last);
        Assert.Equal(0, remaining);
    }

    [Fact]
    public void HeartBeats_BeforeBetweenAndAfterFrames_AreEachReported()
    {
        var (items, _, remaining) = ReadItems(Whole(Utf8("\n\r\nSEND\n\n\0\n\n\r\nACK\nid:1\n\n\0\n")));

        Assert.Equal([HeartBeat, HeartBeat, "SEND||", HeartBeat, HeartBeat, HeartBeat, "ACK|id=1|", HeartBeat], items);
        Assert.Equal(0, remaining);
    }

    [Fact]
    public void LoneCr_WaitsForTheNextByte_ThenALoneCrIsNotAHeartBeat()
    {
        var buffer = Whole(Utf8("\r"));
        Assert.Equal(StompReadStatus.Incomplete, new StompReader().TryRead(ref buffer, out _, out _));
        Assert.Equal(1, buffer.Length);

        Assert.Equal(StompProtocolErrorCodes.UnknownCommand, ReadError(Utf8("\rSEND\n\n\0")).Code);
    }

    [Fact]
    public void PartialFrame_IsIncomplete_AndLeavesTheBufferAlone()
    {
        foreach (var partial in new[] { "SEN", "SEND", "SEND\n", "SEND\na:b", "SEND\na:b\n", "SEND\na:b\n\nbody", "SEND\ncontent-length:3\n\nab", "SEND\ncontent-length:3\n\nabc" })
        {
            var buffer = Whole(Utf8(partial));
            var status = new StompReader().TryRead(ref buffer, out var frame, out _);
            Assert.True(status == StompReadStatus.Incomplete, $"{partial}: {status}");
            Assert.Null(frame);
            Assert.Equal(Utf8(partial).Length, buffer.Length);
        }
    }

    [Fact]
    public void Body_IsACopy_ThatOutlivesTheReadBuffer()
    {
        var bytes = Utf8("SEND\n\nkeep\0");
        var frame = ReadOne(bytes);
        Array.Clear(bytes);

        Assert.Equal("keep"u8.ToArray(), frame.Body.ToArray());
    }

    [Fact]
    public void WhatTheWriterWrites_TheReaderReadsBack()
    {
        var headers = new StompHeader[] { new("destination", "/topic/a:b"), new("weird", "line\nbreak\r\\ and : colon"), new("dup", "1"), new("dup", "2") };
        foreach (var command in Enum.GetValues<StompCommand>())
        {
            if (!StompCommands.EscapesHeaders(command)) continue;
            var frame = new StompFrame(command, headers, new byte[] { 0, 1, 2, 0 });
            var back = ReadOne(StompWriter.ToArray(frame));

            Assert.Equal(command, back.Command);
            Assert.Equal([.. headers, new StompHeader("content-length", "4")], back.Headers);
            Assert.Equal(frame.Body.ToArray(), back.Body.ToArray());
        }
    }
}
