namespace Gantry.Storage.Sqlite;

/// <summary>How the embedded store is laid out and how hard it syncs. Configuration: <c>Gantry:Sqlite</c>.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>Defaults to <c>gantry.db</c> inside the data folder.</summary>
    public const string DefaultFileName = "gantry.db";
    /// <summary>Defaults to <see cref="SqliteSyncMode.Full"/>: every acknowledged write is on disk, surviving a
    /// power cut as well as a killed process. Group commit keeps the fsyncs few.</summary>
    public const SqliteSyncMode DefaultSync = SqliteSyncMode.Full;
    /// <summary>Defaults to 512 commands per group commit: large enough to amortise the fsync, small enough that one
    /// transaction stays short.</summary>
    public const int DefaultMaxCommandsPerCommit = 512;

    /// <summary>The data folder; created if missing.</summary>
    public string DataDirectory { get; set; } = "";
    public string FileName { get; set; } = DefaultFileName;
    public SqliteSyncMode Sync { get; set; } = DefaultSync;
    public int MaxCommandsPerCommit { get; set; } = DefaultMaxCommandsPerCommit;

    public string DatabasePath => Path.Combine(Path.GetFullPath(DataDirectory), FileName);
}

/// <summary>SQLite's <c>synchronous</c> setting in WAL mode.</summary>
public enum SqliteSyncMode
{
    /// <summary>fsync the WAL at every commit: acknowledged writes survive power loss and process kills.</summary>
    Full,
    /// <summary>fsync only at checkpoints: acknowledged writes survive a killed process (kill -9) but the last ones may be
    /// lost in a power cut. Faster on slow disks.</summary>
    Normal,
}
