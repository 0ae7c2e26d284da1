using Gantry.Protocol.Stomp;
using Gantry.Stomp.Tests.Infrastructure;

namespace Gantry.Stomp.Tests;

/// <summary>A server that gives a new connection a tenth of a second to send CONNECT.</summary>
public sealed class ShortConnectTimeoutFixture : StompServerFixture
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Gantry:Stomp:ConnectTimeout"] = "00:00:00.1",
    };
}

public sealed class ConnectTimeoutTests(ShortConnectTimeoutFixture fixture) : IClassFixture<ShortConnectTimeoutFixture>
{
    [Fact]
    public async Task A_connection_that_never_sends_connect_is_closed_with_an_error_naming_the_setting()
    {
        await using var client = await fixture.Server.OpenAsync();
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Contains("Gantry:Stomp:ConnectTimeout", error[StompHeaderNames.Message]);
    }
}
