namespace Gantry.Storage.Postgres;

/// <summary>Where the shared store lives. Configuration: <c>Gantry:Store</c> (the connection string) and <c>Gantry:Postgres</c>.</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>Defaults to 1 second between attempts to re-open the LISTEN connection after it drops.</summary>
    public static readonly TimeSpan DefaultListenerRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>An Npgsql connection string (<c>Host=…;Database=…;Username=…</c>) or a <c>postgres://</c> URL.</summary>
    public string ConnectionString { get; set; } = "";

    public TimeSpan ListenerRetryDelay { get; set; } = DefaultListenerRetryDelay;
}
