namespace Gantry.Hosting;

/// <summary>Server-level settings, bound from the <c>Gantry</c> configuration section (env: <c>GANTRY_…</c>).</summary>
public sealed class GantryServerOptions
{
    /// <summary>Defaults to <c>gantry-data</c> under the working directory: the embedded store needs no setup.</summary>
    public const string DefaultDataDirectory = "gantry-data";
    /// <summary>Defaults to loopback only: nothing is reachable from the network unless configured.</summary>
    public const string DefaultUrls = "http://127.0.0.1:4780";

    /// <summary>The data folder (the SQLite store lives here when <see cref="Store"/> is empty).</summary>
    public string Data { get; set; } = DefaultDataDirectory;

    /// <summary>A PostgreSQL connection string; empty means the embedded SQLite store in <see cref="Data"/>.</summary>
    public string? Store { get; set; }

    /// <summary>Where the HTTP API listens (ASP.NET's <c>urls</c> convention, <c>;</c>-separated).</summary>
    public string Urls { get; set; } = DefaultUrls;

    /// <summary>Defaults to true: connection code runs on the socket threads rather than hopping to the thread pool for
    /// each read and write (see <c>GantryServerApp.InlineIo</c> for the measurements). Set false when hosting request
    /// handlers that block a thread.</summary>
    public bool InlineIo { get; set; } = true;

    public GantryHttpOptions Http { get; set; } = new();

    public bool UsesPostgres => !string.IsNullOrWhiteSpace(Store);
}

/// <summary>HTTP API settings: <c>Gantry:Http</c>.</summary>
public sealed class GantryHttpOptions
{
    /// <summary>Defaults to 32 MiB per request body: room for a full batch of typical jobs, a bound on memory per request.</summary>
    public const long DefaultMaxRequestBodyBytes = 32L * 1024 * 1024;

    /// <summary>When set, every <c>/api</c> call must carry <c>Authorization: Bearer &lt;token&gt;</c>. Set it whenever
    /// the server listens beyond loopback.</summary>
    public string? ApiToken { get; set; }

    public long MaxRequestBodyBytes { get; set; } = DefaultMaxRequestBodyBytes;
}
