using Gantry.Core.Options;

namespace Gantry.Http;

/// <summary>HTTP API settings: <c>Gantry:Http</c> (env <c>GANTRY_HTTP__…</c>).</summary>
public sealed class GantryHttpOptions : ISelfValidatingOptions
{
    /// <summary>Defaults to 32 MiB per request body: room for a full batch of typical jobs, a bound on memory per request.</summary>
    public const long DefaultMaxRequestBodyBytes = 32L * 1024 * 1024;

    /// <summary>A token shorter than this is refused at start: it would be easy to guess.</summary>
    public const int MinApiTokenLength = 16;

    /// <summary>When set, every <c>/api</c> call (and <c>/metrics</c>) must carry <c>Authorization: Bearer &lt;token&gt;</c>.
    /// Set it whenever the server listens beyond loopback.</summary>
    public string? ApiToken { get; set; }

    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxRequestBodyBytes < 1024)
            errors.Add($"Gantry:Http:MaxRequestBodyBytes must be at least 1024 (got {MaxRequestBodyBytes}).");
        if (ApiToken is { Length: > 0 } token && token.Length < MinApiTokenLength)
            errors.Add($"Gantry:Http:ApiToken must be at least {MinApiTokenLength} characters; a short token is easy to guess.");
        return errors;
    }
}
