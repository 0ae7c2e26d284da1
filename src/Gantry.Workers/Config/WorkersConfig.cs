namespace Gantry.Workers.Config;

/// <summary>How the parent writes its log lines on stdout.</summary>
public enum LogFormat
{
    /// <summary>One readable line per event: time, level, message, then key=value fields.</summary>
    Plain,
    /// <summary>One JSON object per line, for log shippers.</summary>
    Json,
}

/// <summary>A whole workers file: where the server is, the parent's own files, and the pools.</summary>
public sealed class WorkersConfig
{
    /// <summary>Defaults to 20 seconds for children to finish in-flight jobs when they are stopped or replaced, after which
    /// the rest are released to the queue (the SDK worker host's own default).</summary>
    public static readonly TimeSpan DefaultShutdownGrace = TimeSpan.FromSeconds(20);
    /// <summary>Defaults to plain lines.</summary>
    public const LogFormat DefaultLogFormat = LogFormat.Plain;
    /// <summary>The status file is the workers file's path plus this, unless <c>status_file</c> says otherwise: next to the
    /// file both the manager and <c>gantry workers status --config FILE</c> know.</summary>
    public const string StatusFileSuffix = ".status.json";

    /// <summary>The workers file, absolute.</summary>
    public required string Path { get; init; }
    /// <summary>The server's address, or null for the command line, <c>GANTRY_URL</c>, or the SDK's default.</summary>
    public Uri? Server { get; init; }
    public string? Token { get; init; }
    /// <summary>The server's Gearman port (<c>HOST:PORT</c>) that pools with <c>functions</c> connect to.</summary>
    public string Gearman { get; init; } = Child.Gearman.GearmanEndpoint.Default;
    /// <summary>Absolute; null for no pid file.</summary>
    public string? PidFile { get; init; }
    /// <summary>Absolute.</summary>
    public required string StatusFile { get; init; }
    public LogFormat LogFormat { get; init; } = DefaultLogFormat;
    public TimeSpan ShutdownGrace { get; init; } = DefaultShutdownGrace;
    public required IReadOnlyList<PoolConfig> Pools { get; init; }

    public static string DefaultStatusFile(string configPath) => System.IO.Path.GetFullPath(configPath) + StatusFileSuffix;
}
