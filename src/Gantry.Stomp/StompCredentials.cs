using System.Security.Cryptography;
using System.Text;
using Gantry.Protocol.Stomp;

namespace Gantry.Stomp;

/// <summary>
/// The API token a CONNECT must carry when the server has one (the HTTP API's <c>Gantry:Http:ApiToken</c>: one token
/// guards every front). The composition root hands it over, so this front does not depend on the HTTP one.
/// </summary>
public sealed class StompCredentials(string? apiToken)
{
    private const string BearerScheme = "Bearer ";
    private const string AuthorizationHeader = "Authorization";

    private readonly byte[]? _token = string.IsNullOrEmpty(apiToken) ? null : Encoding.UTF8.GetBytes(apiToken);

    public bool Required => _token is not null;

    /// <summary>Whether the CONNECT frame may open a session: it carries the token as <c>passcode</c> (what every STOMP
    /// client can send) or as <c>Authorization: Bearer …</c> (what HTTP clients of Gantry already send).</summary>
    public bool Accepts(StompFrame connect)
    {
        if (_token is null) return true;
        if (connect[StompHeaderNames.Passcode] is { } passcode && Matches(passcode)) return true;
        return connect[AuthorizationHeader] is { } authorization
               && authorization.StartsWith(BearerScheme, StringComparison.OrdinalIgnoreCase)
               && Matches(authorization[BearerScheme.Length..].Trim());
    }

    // Fixed time: how long a wrong token takes to refuse must not tell how much of it was right.
    private bool Matches(string candidate) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);
}
