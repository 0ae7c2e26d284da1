using Gantry.Protocol.Stomp;
using Gantry.Stomp.Tests.Infrastructure;

namespace Gantry.Stomp.Tests;

/// <summary>A server with short heart-beat settings, so the tests see beats and a timeout without waiting long; they
/// wait for the beat or the close itself, never for a time.</summary>
public sealed class ShortHeartBeatsFixture : StompServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Gantry:Stomp:HeartBeatSend"] = "00:00:00.05",
        ["Gantry:Stomp:HeartBeatReceive"] = "00:00:00.1",
        ["Gantry:Stomp:HeartBeatGrace"] = "00:00:00.1",
    };
}

public sealed class HeartBeatTests(ShortHeartBeatsFixture fixture) : IClassFixture<ShortHeartBeatsFixture>
{
    private readonly StompServer _server = fixture.Server;

    [Fact]
    public async Task Connected_states_the_servers_heart_beat_settings()
    {
        await using var client = await _server.OpenAsync();
        var connected = await client.ConnectAsync((StompHeaderNames.HeartBeat, "0,0"));
        Assert.Equal("50,100", connected[StompHeaderNames.HeartBeat]);
    }

    [Fact]
    public async Task A_client_that_wants_heart_beats_gets_them_on_a_quiet_connection()
    {
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync((StompHeaderNames.HeartBeat, "0,50")); // it sends none, so it is never timed out
        await client.ExpectHeartBeatAsync();
        await client.ExpectHeartBeatAsync();
    }

    [Fact]
    public async Task A_client_that_promised_heart_beats_and_goes_silent_is_closed_with_an_error_saying_why()
    {
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync((StompHeaderNames.HeartBeat, "100,0"));
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Contains("heart-beat interval", error[StompHeaderNames.Message]);
    }
}
