using Gantry.Protocol.Stomp;
using Gantry.Stomp.Tests.Infrastructure;

namespace Gantry.Stomp.Tests;

/// <summary>Opening, refusing and closing sessions: version and heart-beat negotiation, bad input, DISCONNECT.</summary>
public sealed class SessionTests(StompServerFixture fixture) : IClassFixture<StompServerFixture>
{
    private readonly StompServer _server = fixture.Server;

    [Fact]
    public async Task Connect_is_answered_with_the_highest_common_version_the_server_its_session_and_its_heart_beats()
    {
        await using var client = await _server.OpenAsync();
        await client.SendAsync(StompCommand.Connect, (StompHeaderNames.AcceptVersion, "1.0,1.1,1.2"), (StompHeaderNames.Host, "localhost"),
            (StompHeaderNames.HeartBeat, "0,0"));
        var connected = await client.ExpectAsync(StompCommand.Connected);

        Assert.Equal("1.2", connected[StompHeaderNames.Version]);
        Assert.StartsWith("Gantry/", connected[StompHeaderNames.Server]);
        Assert.False(string.IsNullOrEmpty(connected[StompHeaderNames.Session]));
        // The server's own offer, from the defaults: it can send every 10 s and wants to hear every 10 s.
        Assert.Equal(new StompHeartBeat(10_000, 10_000).ToString(), connected[StompHeaderNames.HeartBeat]);
    }

    [Fact]
    public async Task The_stomp_command_opens_a_session_too_and_an_older_client_gets_its_own_version()
    {
        await using var client = await _server.OpenAsync();
        await client.SendAsync(StompCommand.Stomp, (StompHeaderNames.AcceptVersion, "1.1"), (StompHeaderNames.Host, "localhost"));
        var connected = await client.ExpectAsync(StompCommand.Connected);
        Assert.Equal("1.1", connected[StompHeaderNames.Version]);

        await using var old = await _server.OpenAsync();
        await old.SendAsync(StompCommand.Connect); // no accept-version: a 1.0 client
        Assert.Equal("1.0", (await old.ExpectAsync(StompCommand.Connected))[StompHeaderNames.Version]);
    }

    [Fact]
    public async Task No_common_version_is_an_error_that_lists_the_servers_versions_then_close()
    {
        await using var client = await _server.OpenAsync();
        await client.SendAsync(StompCommand.Connect, (StompHeaderNames.AcceptVersion, "2.0"), (StompHeaderNames.Host, "localhost"));
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Equal(StompVersions.SupportedList, error[StompHeaderNames.Version]);
        Assert.Contains("no protocol version in common", error[StompHeaderNames.Message]);
    }

    [Fact]
    public async Task A_malformed_heart_beat_header_is_an_error()
    {
        await using var client = await _server.OpenAsync();
        await client.SendAsync(StompCommand.Connect, (StompHeaderNames.AcceptVersion, "1.2"), (StompHeaderNames.HeartBeat, "often"));
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Contains("heart-beat", error[StompHeaderNames.Message]);
    }

    [Fact]
    public async Task A_frame_before_connect_is_an_error_then_close()
    {
        await using var client = await _server.OpenAsync();
        await client.SendAsync(StompCommand.Send, "{}", (StompHeaderNames.Destination, "/topic/early"));
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Contains("expected CONNECT or STOMP", error[StompHeaderNames.Message]);
    }

    [Fact]
    public async Task A_bad_escape_is_the_codecs_error_then_close_and_other_clients_are_unaffected()
    {
        await using var other = await _server.OpenAsync();
        await other.ConnectAsync();
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();

        await client.SendRawAsync("SEND\ndestination:/topic/a\\tb\n\nhello\0");
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Contains("escape", error[StompHeaderNames.Message]);

        await other.SendWithReceiptAsync(StompCommand.Send, "{}", (StompHeaderNames.Destination, "/topic/" + Topics.Fresh()));
    }

    [Fact]
    public async Task Garbage_instead_of_a_command_is_an_error_then_close()
    {
        await using var client = await _server.OpenAsync();
        await client.SendRawAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Contains("unknown command", error[StompHeaderNames.Message]);
    }

    [Fact]
    public async Task Disconnect_with_a_receipt_gets_the_receipt_then_the_connection_closes()
    {
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        await client.SendAsync(StompCommand.Disconnect, (StompHeaderNames.Receipt, "bye-1"));
        Assert.Equal("bye-1", (await client.ExpectAsync(StompCommand.Receipt))[StompHeaderNames.ReceiptId]);
        await client.ExpectClosedAsync();
    }

    [Theory]
    [InlineData("/queue/work", "not supported yet")]
    [InlineData("/exchange/x", "unknown destination '/exchange/x'")]
    public async Task A_destination_other_than_a_topic_is_an_error_naming_it(string destination, string expected)
    {
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        await client.SendAsync(StompCommand.Send, "{}", (StompHeaderNames.Destination, destination), (StompHeaderNames.Receipt, "r"));
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Contains(expected, error[StompHeaderNames.Message]);
        Assert.Equal("r", error[StompHeaderNames.ReceiptId]);
    }

    [Theory]
    [InlineData(StompCommand.Ack)]
    [InlineData(StompCommand.Begin)]
    public async Task Acks_and_transactions_are_refused_as_not_supported_yet(StompCommand command)
    {
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        await client.SendAsync(command, (StompHeaderNames.Id, "1"), (StompHeaderNames.Transaction, "t1"));
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Contains("not supported yet", error[StompHeaderNames.Message]);
    }
}
