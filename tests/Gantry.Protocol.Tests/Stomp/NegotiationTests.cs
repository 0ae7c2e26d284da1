using Gantry.Protocol.Stomp;
using Xunit;

namespace Gantry.Protocol.Tests.Stomp;

/// <summary>CONNECT's two negotiations: the protocol version from accept-version, the heart-beat intervals from heart-beat.</summary>
public sealed class NegotiationTests
{
    [Theory]
    [InlineData(null, "1.0")]          // no header: a 1.0 client
    [InlineData("1.0", "1.0")]
    [InlineData("1.1", "1.1")]
    [InlineData("1.2", "1.2")]
    [InlineData("1.0,1.1,1.2", "1.2")]
    [InlineData("1.2,1.0", "1.2")]     // order does not matter, the highest shared wins
    [InlineData("1.1,2.0", "1.1")]     // unknown versions are skipped
    [InlineData("1.1, 1.2", "1.2")]    // spaces around versions are tolerated
    public void HighestSharedVersion_IsAgreed(string? acceptVersion, string expected)
    {
        var result = StompVersions.Negotiate(acceptVersion);

        Assert.True(result.Agreed);
        Assert.Equal(expected, result.Version);
        Assert.Equal(expected != "1.0", result.EscapesHeaders);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2.0")]
    [InlineData("1.3,0.9")]
    [InlineData("12")]
    public void NoSharedVersion_IsSaid_WithWhatTheServerSpeaks(string acceptVersion)
    {
        var result = StompVersions.Negotiate(acceptVersion);

        Assert.False(result.Agreed);
        Assert.Null(result.Version);
        Assert.Contains("1.0,1.1,1.2", result.ErrorMessage);
        Assert.Equal("1.0,1.1,1.2", StompVersions.SupportedList);
    }

    [Theory]
    [InlineData(null, 0, 0)]
    [InlineData("0,0", 0, 0)]
    [InlineData("10000,10000", 10000, 10000)]
    [InlineData("0,500", 0, 500)]
    [InlineData("007,8", 7, 8)]
    [InlineData("2147483647,1", int.MaxValue, 1)]
    public void HeartBeatHeader_IsParsed(string? value, int send, int receive)
    {
        Assert.True(StompHeartBeat.TryParse(value, out var heartBeat, out var error), error);
        Assert.Equal(new StompHeartBeat(send, receive), heartBeat);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1000")]
    [InlineData("1000,")]
    [InlineData(",1000")]
    [InlineData("1000, 1000")]
    [InlineData("-1,0")]
    [InlineData("+1,0")]
    [InlineData("1,2,3")]
    [InlineData("1.5,2")]
    [InlineData("2147483648,0")]
    [InlineData("a,b")]
    public void BadHeartBeatHeader_IsRefused_WithAMessageThatQuotesIt(string value)
    {
        Assert.False(StompHeartBeat.TryParse(value, out var heartBeat, out var error));
        Assert.Equal(StompHeartBeat.None, heartBeat);
        Assert.Contains($"\"{value}\"", error);
        Assert.Contains("10000,10000", error);
    }

    [Theory]
    // client cx,cy   server sx,sy   server sends every max(sx,cy), client sends every max(cx,sy), 0 on either side = none
    [InlineData(0, 0, 5000, 5000, 0, 0)]
    [InlineData(10000, 10000, 5000, 5000, 10000, 10000)]
    [InlineData(1000, 20000, 5000, 3000, 20000, 3000)]
    [InlineData(0, 10000, 5000, 5000, 10000, 0)]   // the client cannot send: no beats from it
    [InlineData(10000, 0, 5000, 5000, 0, 10000)]   // the client does not want any: the server sends none
    [InlineData(10000, 10000, 0, 0, 0, 0)]         // a server that neither sends nor expects
    [InlineData(4000, 4000, 0, 6000, 0, 6000)]
    public void HeartBeatIntervals_FollowTheSpecification(int cx, int cy, int sx, int sy, int serverSendsMs, int clientSendsMs)
    {
        var intervals = StompHeartBeat.Negotiate(new StompHeartBeat(cx, cy), new StompHeartBeat(sx, sy));

        Assert.Equal(TimeSpan.FromMilliseconds(serverSendsMs), intervals.ServerSends);
        Assert.Equal(TimeSpan.FromMilliseconds(clientSendsMs), intervals.ClientSends);
    }

    [Fact]
    public void HeartBeat_FormatsAsItsHeaderValue()
    {
        Assert.Equal("5000,10000", new StompHeartBeat(5000, 10000).ToString());
    }
}
