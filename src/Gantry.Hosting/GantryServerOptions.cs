namespace Gantry.Hosting;

/// <summary>Server-level settings, bound from the <c>Gantry</c> configuration section (env: <c>GANTRY_…</c>).</summary>
public sealed class GantryServerOptions
{
    /// <summary>Defaults to <c>gantry-data</c> under the working directory: the embedded store needs no setup.</summary>
    public const string DefaultDataDirectory = "gantry-data";
    /// <summary>The <c>gantry</c> executable's default: loopback only, so nothing is reachable from the network unless
    /// configured. An application hosting Gantry listens where the application does unless <see cref="Urls"/> is set.</summary>
    public const string DefaultUrls = Contracts.GantryPorts.DefaultUrl;

    /// <summary>The data folder (the SQLite store lives here when <see cref="Store"/> is empty).</summary>
    public string Data { get; set; } = DefaultDataDirectory;

    /// <summary>A PostgreSQL connection string; empty means the embedded SQLite store in <see cref="Data"/>.</summary>
    public string? Store { get; set; }

    /// <summary>Where the HTTP API listens (ASP.NET's <c>urls</c> convention, <c>;</c>-separated). Empty: where the
    /// hosting application listens.</summary>
    public string? Urls { get; set; }

    /// <summary>Read by the <c>gantry</c> executable, which owns its host: connection code runs on the socket threads
    /// rather than hopping to the thread pool for each read and write. Defaults to true (see <c>GantryServerApp.InlineIo</c>
    /// for the measurements); set false when hosting request handlers that block a thread.</summary>
    public bool InlineIo { get; set; } = true;

    public bool UsesPostgres => !string.IsNullOrWhiteSpace(Store);
}
