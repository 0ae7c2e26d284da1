namespace Gantry.Client;

/// <summary>How the SDK finds and talks to a Gantry server.</summary>
public sealed class GantryClientOptions
{
    /// <summary>Defaults to the server's default loopback address.</summary>
    public const string DefaultServerUrl = Contracts.GantryPorts.DefaultUrl;
    /// <summary>The environment variable client tools read the server address from.</summary>
    public const string ServerUrlVariable = "GANTRY_URL";
    /// <summary>The environment variable client tools read the API token from.</summary>
    public const string TokenVariable = "GANTRY_TOKEN";
    /// <summary>Defaults to 100 seconds per request beyond any long-poll wait the request asks for.</summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(100);

    public Uri ServerUrl { get; set; } = new(DefaultServerUrl);

    /// <summary>Sent as a bearer token when set (the server's <c>Gantry:Http:ApiToken</c>).</summary>
    public string? Token { get; set; }

    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>Options from <c>GANTRY_URL</c> and <c>GANTRY_TOKEN</c>, with explicit values taking precedence.</summary>
    public static GantryClientOptions FromEnvironment(string? serverUrl = null, string? token = null)
    {
        var url = serverUrl ?? Environment.GetEnvironmentVariable(ServerUrlVariable);
        var options = new GantryClientOptions { Token = token ?? Environment.GetEnvironmentVariable(TokenVariable) };
        if (!string.IsNullOrWhiteSpace(url))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                throw new ArgumentException($"'{url}' is not a server address; expected something like {DefaultServerUrl}.");
            options.ServerUrl = uri;
        }
        return options;
    }
}
