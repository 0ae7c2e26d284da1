using Gantry.Protocol.Stomp;
using Xunit;
using static Gantry.Protocol.Tests.Stomp.StompBytes;

namespace Gantry.Protocol.Tests.Stomp;

/// <summary>The four escapes, undone in names and values; anything else after a backslash is fatal; CONNECT and CONNECTED are left alone.</summary>
public sealed class EscapingTests
{
    [Fact]
    public void TheFourEscapes_AreDecoded_InNamesAndValues()
    {
        var frame = ReadOne(Utf8("SEND\na\\cb\\\\:1\\r2\\n3\\c4\\\\5\n\n\0"));

        Assert.Equal([new StompHeader("a:b\\", "1\r2\n3:4\\5")], frame.Headers);
    }

    [Fact]
    public void EscapedBackslashFollowedByLetter_IsABackslashAndTheLetter()
    {
        Assert.Equal("\\n", ReadOne(Utf8("SEND\nx:\\\\n\n\n\0"))["x"]);
    }

    [Theory]
    [InlineData("x:\\t")]
    [InlineData("x:a\\")]
    [InlineData("x:\\R")]
    [InlineData("x:\\ ")]
    [InlineData("x\\q:v")]
    [InlineData("\\:v")]
    public void AnyOtherEscape_OrABackslashAtTheEnd_IsAnError(string line)
    {
        var error = ReadError(Utf8($"SEND\n{line}\n\n\0"));

        Assert.Equal(StompProtocolErrorCodes.InvalidEscape, error.Code);
        Assert.Contains("\\r \\n \\c and \\\\", error.Message);
    }

    [Fact]
    public void TheErrorNamesTheBadEscape()
    {
        Assert.Contains("\"\\t\"", ReadError(Utf8("SEND\ndestination:\\t\n\n\0")).Message);
        Assert.Contains("a backslash at the end", ReadError(Utf8("SEND\ndestination:a\\\n\n\0")).Message);
    }

    [Theory]
    [InlineData("CONNECT")]
    [InlineData("CONNECTED")]
    public void ConnectAndConnected_KeepBackslashesAsTheyAre(string command)
    {
        Assert.Equal("a\\b\\t\\", ReadOne(Utf8($"{command}\npasscode:a\\b\\t\\\n\n\0"))["passcode"]);
    }

    [Fact]
    public void StompFrame_UnlikeConnect_IsEscaped()
    {
        Assert.Equal("a:b", ReadOne(Utf8("STOMP\nlogin:a\\cb\n\n\0"))["login"]);
    }

    [Fact]
    public void AfterA10Negotiation_NothingIsUnescaped()
    {
        var reader = new StompReader { DecodeEscapes = false };
        Assert.Equal("a\\tb", ReadOne(Utf8("SEND\nx:a\\tb\n\n\0"), reader)["x"]);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData("\\")]
    [InlineData(":")]
    [InlineData("\r\n")]
    [InlineData("\\n is not a newline")]
    [InlineData("a:b\\c\nd\re")]
    [InlineData("ünïcödé ✓ 𝄞")]
    public void EveryString_RoundTrips_AsNameAndValue(string text)
    {
        var name = "n" + text; // a name cannot be empty
        var frame = ReadOne(StompWriter.ToArray(new StompFrame(StompCommand.Message, [new(name, text)])));

        Assert.Equal([new StompHeader(name, text)], frame.Headers);
    }
}
