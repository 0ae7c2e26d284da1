using Gantry.Core.Topics;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Stomp;

/// <summary>
/// Kestrel's entry for a STOMP port: each connection becomes one <see cref="StompSession"/>, which lives exactly as
/// long as the connection does.
/// </summary>
internal sealed class StompConnectionHandler(
    TopicEngine engine, TopicHub hub, StompCredentials credentials, IOptions<StompOptions> options, TimeProvider time,
    ILogger<StompSession> log) : ConnectionHandler
{
    private readonly StompOptions _options = options.Value;
    private readonly Protocol.Stomp.StompReadLimits _limits = options.Value.ReadLimits();

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var session = new StompSession(connection, _options, _limits, engine, hub, credentials, time, log);
        await session.RunAsync().ConfigureAwait(false);
    }
}
