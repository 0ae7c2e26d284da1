using Gantry.Protocol.Stomp;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;
using static Gantry.Protocol.Tests.Stomp.StompBytes;

namespace Gantry.Protocol.Tests.Stomp;

/// <summary>Each limit: its default, the input that crosses it (and the one just under it), its own code, and a message that names it and its value.</summary>
public sealed class ReadLimitsTests
{
    [Fact]
    public void Defaults_AreTheNamedConstants()
    {
        var limits = StompReadLimits.Default;
        Assert.Equal(32, StompReadLimits.DefaultMaxCommandBytes);
        Assert.Equal(8 * 1024, StompReadLimits.DefaultMaxHeaderLineBytes);
        Assert.Equal(64 * 1024, StompReadLimits.DefaultMaxHeaderBytes);
        Assert.Equal(128, StompReadLimits.DefaultMaxHeaderCount);
        Assert.Equal(16 * 1024 * 1024, StompReadLimits.DefaultMaxBodyBytes);
        Assert.Equal(StompReadLimits.DefaultMaxCommandBytes, limits.MaxCommandBytes);
        Assert.Equal(StompReadLimits.DefaultMaxHeaderLineBytes, limits.MaxHeaderLineBytes);
        Assert.Equal(StompReadLimits.DefaultMaxHeaderBytes, limits.MaxHeaderBytes);
        Assert.Equal(StompReadLimits.DefaultMaxHeaderCount, limits.MaxHeaderCount);
        Assert.Equal(StompReadLimits.DefaultMaxBodyBytes, limits.MaxBodyBytes);
    }

    [Fact]
    public void BadSettings_FailAtStart_NamingTheSetting()
    {
        Assert.Contains("Gantry:Stomp:MaxBodyBytes", Assert.Throws<ArgumentOutOfRangeException>(() => new StompReadLimits { MaxBodyBytes = -1 }).Message);
        Assert.Contains("Gantry:Stomp:MaxCommandBytes", Assert.Throws<ArgumentOutOfRangeException>(() => new StompReadLimits { MaxCommandBytes = 10 }).Message);
        Assert.Contains("Gantry:Stomp:MaxHeaderLineBytes", Assert.Throws<ArgumentOutOfRangeException>(() => new StompReadLimits { MaxHeaderLineBytes = 0 }).Message);
        Assert.Contains("Gantry:Stomp:MaxHeaderBytes", Assert.Throws<ArgumentOutOfRangeException>(() => new StompReadLimits { MaxHeaderBytes = 12 }).Message);
        Assert.Contains("Gantry:Stomp:MaxHeaderCount", Assert.Throws<ArgumentOutOfRangeException>(() => new StompReadLimits { MaxHeaderCount = -1 }).Message);
        Assert.Equal(int.MaxValue / 2, new StompReadLimits { MaxBodyBytes = int.MaxValue / 2 }.MaxBodyBytes);
    }

    private static void AssertLimit(string code, string setting, int value, StompProtocolError error)
    {
        Assert.Equal(code, error.Code);
        Assert.Contains($"Gantry:Stomp:{setting}", error.Message);
        Assert.Contains($"{value}", error.Message);
    }

    [Fact]
    public void CommandLine_LongerThanTheLimit_IsCommandTooLong_EvenBeforeItEnds()
    {
        var limits = new StompReadLimits { MaxCommandBytes = 11 };
        Assert.Equal(StompCommand.Unsubscribe, ReadOne(Utf8("UNSUBSCRIBE\r\nid:1\n\n\0"), new StompReader(limits)).Command);

        AssertLimit(StompProtocolErrorCodes.CommandTooLong, "MaxCommandBytes", 11, ReadError(Utf8("UNSUBSCRIBEX\n\n\0"), limits));
        // An endless line is refused from its first bytes: no line end needed.
        AssertLimit(StompProtocolErrorCodes.CommandTooLong, "MaxCommandBytes", 32, ReadError(Utf8("GET / HTTP/1.1 and then some more bytes")));
        var buffer = Whole(Utf8(new string('A', 33)));
        Assert.Equal(StompReadStatus.Incomplete, new StompReader().TryRead(ref buffer, out _, out _)); // 33 bytes could still be 32 + CR
    }

    [Fact]
    public void HeaderLine_LongerThanTheLimit_IsHeaderLineTooLong()
    {
        var limits = new StompReadLimits { MaxHeaderLineBytes = 8 };
        Assert.Equal("123456", ReadOne(Utf8("SEND\nx:123456\r\n\n\0"), new StompReader(limits))["x"]);

        AssertLimit(StompProtocolErrorCodes.HeaderLineTooLong, "MaxHeaderLineBytes", 8, ReadError(Utf8("SEND\nx:1234567\n\n\0"), limits));
        AssertLimit(StompProtocolErrorCodes.HeaderLineTooLong, "MaxHeaderLineBytes", 8, ReadError(Utf8("SEND\nx:12345678901234"), limits));
    }

    [Fact]
    public void HeaderSection_LargerThanTheLimit_IsHeadersTooLarge()
    {
        var limits = new StompReadLimits { MaxHeaderBytes = 20 };
        // "SEND\n" + "a:1234567\n" + "b:1\n" + "\n" = 20 bytes: exactly the limit.
        Assert.Equal(2, ReadOne(Utf8("SEND\na:1234567\nb:1\n\n\0"), new StompReader(limits)).Headers.Count);

        AssertLimit(StompProtocolErrorCodes.HeadersTooLarge, "MaxHeaderBytes", 20, ReadError(Utf8("SEND\na:1234567\nb:12\n\n\0"), limits));
        AssertLimit(StompProtocolErrorCodes.HeadersTooLarge, "MaxHeaderBytes", 20, ReadError(Utf8("SEND\na:1234567\nb:1\nc"), limits));
    }

    [Fact]
    public void MoreHeadersThanTheLimit_IsTooManyHeaders_RepeatsIncluded()
    {
        var limits = new StompReadLimits { MaxHeaderCount = 2 };
        Assert.Equal(2, ReadOne(Utf8("SEND\na:1\na:2\n\n\0"), new StompReader(limits)).Headers.Count);

        AssertLimit(StompProtocolErrorCodes.TooManyHeaders, "MaxHeaderCount", 2, ReadError(Utf8("SEND\na:1\na:2\na:3\n\n\0"), limits));
        AssertLimit(StompProtocolErrorCodes.TooManyHeaders, "MaxHeaderCount", 0, ReadError(Utf8("SEND\na:1\n\n\0"), new StompReadLimits { MaxHeaderCount = 0 }));
    }

    [Fact]
    public void ContentLength_AboveTheLimit_IsRefusedBeforeTheBodyArrives()
    {
        var limits = new StompReadLimits { MaxBodyBytes = 4 };
        Assert.Equal(4, ReadOne(Utf8("SEND\ncontent-length:4\n\nabcd\0"), new StompReader(limits)).Body.Length);

        AssertLimit(StompProtocolErrorCodes.BodyTooLarge, "MaxBodyBytes", 4, ReadError(Utf8("SEND\ncontent-length:5\n\n"), limits));
        AssertLimit(StompProtocolErrorCodes.BodyTooLarge, "MaxBodyBytes", StompReadLimits.DefaultMaxBodyBytes,
            ReadError(Utf8("SEND\ncontent-length:99999999999999999999999\n\n")));
    }

    [Fact]
    public void BodyWithoutContentLength_LongerThanTheLimit_IsRefusedWithoutWaitingForItsNul()
    {
        var limits = new StompReadLimits { MaxBodyBytes = 4 };
        Assert.Equal(4, ReadOne(Utf8("SEND\n\nabcd\0"), new StompReader(limits)).Body.Length);

        AssertLimit(StompProtocolErrorCodes.BodyTooLarge, "MaxBodyBytes", 4, ReadError(Utf8("SEND\n\nabcde"), limits));
        var buffer = Whole(Utf8("SEND\n\nabcd"));
        Assert.Equal(StompReadStatus.Incomplete, new StompReader(limits).TryRead(ref buffer, out _, out _));
    }

    [Fact]
    public void ZeroBodyLimit_AllowsEmptyBodiesOnly()
    {
        var limits = new StompReadLimits { MaxBodyBytes = 0 };
        Assert.True(ReadOne(Utf8("SEND\n\n\0"), new StompReader(limits)).Body.IsEmpty);
        Assert.Equal(StompProtocolErrorCodes.BodyTooLarge, ReadError(Utf8("SEND\n\nx\0"), limits).Code);
    }
}
