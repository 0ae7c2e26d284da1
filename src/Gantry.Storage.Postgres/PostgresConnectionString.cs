using Npgsql;

namespace Gantry.Storage.Postgres;

/// <summary>Accepts both Npgsql's key=value form and the <c>postgres://user:pass@host:port/db?…</c> URL form.</summary>
public static class PostgresConnectionString
{
    public static string Normalize(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new ArgumentException("A PostgreSQL connection string is required (Host=…;Database=…;Username=… or postgres://…).");
        if (!connectionString.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) &&
            !connectionString.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return new NpgsqlConnectionStringBuilder(connectionString).ConnectionString;
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"The PostgreSQL connection string is not valid: {ex.Message}", ex);
            }
        }

        if (!Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"The PostgreSQL URL is not valid: expected postgres://user:password@host:port/database.");
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host };
        if (uri.Port > 0) b.Port = uri.Port;
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) b.Database = database;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            // libpq spells a few keys differently from Npgsql.
            key = key switch { "sslmode" => "SSL Mode", "application_name" => "Application Name", _ => key };
            try { b[key] = value; }
            catch (ArgumentException) { throw new ArgumentException($"The PostgreSQL URL has an option Npgsql does not know: '{key}'."); }
        }
        return b.ConnectionString;
    }

    /// <summary>Where the connection string points, <c>HOST:PORT</c> (several hosts comma-separated, as given), for
    /// messages; null when it does not parse.</summary>
    public static string? Address(string connectionString)
    {
        try
        {
            var b = new NpgsqlConnectionStringBuilder(Normalize(connectionString));
            if (string.IsNullOrEmpty(b.Host)) return null;
            // A host may carry its own port (Host=a:5433,b); the Port key is the default for the others.
            return string.Join(",", b.Host.Split(',').Select(h => HasPort(h) ? h : $"{h}:{b.Port}"));
            static bool HasPort(string host) => host.StartsWith('[') ? host.Contains("]:", StringComparison.Ordinal) : host.Contains(':');
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The same connection, with session settings passed at connect time (<c>-c name=value</c>).</summary>
    public static string WithSettings(string connectionString, params string[] settings)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        var extra = string.Join(' ', settings.Select(s => "-c " + s));
        b.Options = string.IsNullOrWhiteSpace(b.Options) ? extra : b.Options + " " + extra;
        return b.ConnectionString;
    }

    /// <summary>Settings for the statements that update batches of jobs by id: never a nested loop or a sequential
    /// scan, whatever the (always stale) statistics say. See <c>PostgresLeases</c>.</summary>
    public static readonly string[] ForBatchStatements = ["enable_nestloop=off", "enable_seqscan=off"];

    /// <summary>Commits that do not wait for the WAL to reach disk.</summary>
    public const string AsyncCommit = "synchronous_commit=off";

    /// <summary>Defaults to 64 server-side prepared statements per connection: the store runs a handful of statements
    /// over and over, and planning one of them can cost more than running it.</summary>
    public const int DefaultMaxAutoPrepare = 64;

    /// <summary>Turns on Npgsql's automatic preparation unless the connection string already says how to prepare.</summary>
    public static string WithPreparedStatements(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        if (b.MaxAutoPrepare == 0)
        {
            b.MaxAutoPrepare = DefaultMaxAutoPrepare;
            b.AutoPrepareMinUsages = 2;
        }
        return b.ConnectionString;
    }
}
