using Gantry.Protocol.Stomp;
using Gantry.Stomp.Tests.Infrastructure;

namespace Gantry.Stomp.Tests;

/// <summary>A server with an API token: the token that guards the HTTP API guards STOMP's CONNECT.</summary>
public sealed class TokenFixture : StompServerFixture
{
    public const string Token = "stomp-test-token-0123456789";

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Gantry:Http:ApiToken"] = Token };
}

public sealed class TokenTests(TokenFixture fixture) : IClassFixture<TokenFixture>
{
    private readonly StompServer _server = fixture.Server;

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-token-0123456789")]
    public async Task A_connect_without_the_token_is_refused(string? passcode)
    {
        await using var client = await _server.OpenAsync();
        (string, string)[] headers = passcode is null
            ? [(StompHeaderNames.AcceptVersion, "1.2")]
            : [(StompHeaderNames.AcceptVersion, "1.2"), (StompHeaderNames.Login, "me"), (StompHeaderNames.Passcode, passcode)];
        await client.SendAsync(StompCommand.Connect, headers);
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Contains("requires an API token", error[StompHeaderNames.Message]);
    }

    [Fact]
    public async Task The_token_as_passcode_opens_the_session()
    {
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync((StompHeaderNames.Login, "me"), (StompHeaderNames.Passcode, TokenFixture.Token));
        await client.SendWithReceiptAsync(StompCommand.Send, "{}", (StompHeaderNames.Destination, "/topic/" + Topics.Fresh()));
    }

    [Fact]
    public async Task The_token_as_a_bearer_authorization_header_opens_the_session()
    {
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync(("Authorization", "Bearer " + TokenFixture.Token));
    }
}
