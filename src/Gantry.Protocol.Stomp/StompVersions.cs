namespace Gantry.Protocol.Stomp;

/// <summary>
/// Protocol version negotiation on CONNECT/STOMP: the client lists what it speaks in <c>accept-version</c>, the
/// server answers with the highest version both speak in CONNECTED's <c>version</c>, or with an ERROR frame that
/// carries its own list in <c>version</c> and closes.
/// </summary>
public static class StompVersions
{
    public const string V10 = "1.0";
    public const string V11 = "1.1";
    public const string V12 = "1.2";

    /// <summary>What Gantry speaks, oldest first; also the value for an ERROR frame's <c>version</c> header.</summary>
    public const string SupportedList = "1.0,1.1,1.2";

    private static readonly string[] Supported = [V10, V11, V12];

    /// <summary>
    /// Picks the version for a CONNECT or STOMP frame's <c>accept-version</c> value. No header (null) means the
    /// client predates negotiation and speaks 1.0, as the specification says. Versions are separated by commas;
    /// spaces around them are ignored (a hand-typed <c>"1.1, 1.2"</c> means what it says) and versions Gantry does
    /// not know, such as a future <c>2.0</c>, are skipped rather than refused.
    /// </summary>
    public static StompVersionResult Negotiate(string? acceptVersion)
    {
        if (acceptVersion is null) return new StompVersionResult(V10);

        string? best = null;
        foreach (var part in acceptVersion.Split(','))
        {
            var index = Array.IndexOf(Supported, part.Trim(' '));
            if (index >= 0 && (best is null || index > Array.IndexOf(Supported, best))) best = Supported[index];
        }
        return new StompVersionResult(best);
    }
}

/// <summary>The outcome of <see cref="StompVersions.Negotiate"/>.</summary>
/// <param name="Version">The agreed version (<c>"1.0"</c>, <c>"1.1"</c> or <c>"1.2"</c>), or null when there is none.</param>
public readonly record struct StompVersionResult(string? Version)
{
    /// <summary>Whether client and server share a version; if not, send ERROR with <see cref="ErrorMessage"/> and close.</summary>
    public bool Agreed => Version is not null;

    /// <summary>Whether the session uses header escapes (1.1 and later).</summary>
    public bool EscapesHeaders => Version is not null and not StompVersions.V10;

    /// <summary>For the ERROR frame's <c>message</c> header when no version is shared.</summary>
    public string ErrorMessage =>
        $"no protocol version in common: this server speaks {StompVersions.SupportedList} (see the version header)";
}
