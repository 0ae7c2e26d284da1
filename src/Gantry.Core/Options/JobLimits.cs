namespace Gantry.Core.Options;

/// <summary>Size and count limits on every input the engine accepts. Configuration: <c>Gantry:Limits</c>.</summary>
public sealed class JobLimits
{
    /// <summary>Defaults to 1 MiB: queues carry references to data, not the data; larger blobs belong in object storage.</summary>
    public const int DefaultMaxPayloadBytes = 1024 * 1024;
    /// <summary>Defaults to 1 MiB, as payloads.</summary>
    public const int DefaultMaxResultBytes = 1024 * 1024;
    /// <summary>Defaults to 255 characters: longer keys are almost always payloads used as keys by mistake.</summary>
    public const int DefaultMaxUniqueKeyLength = 255;
    /// <summary>Defaults to 1000 jobs per batch call: large enough to amortise a transaction, small enough to bound one request's memory.</summary>
    public const int DefaultMaxBatchSize = 1000;
    /// <summary>Defaults to 1000 jobs per fetch, for the same reason as <see cref="DefaultMaxBatchSize"/>.</summary>
    public const int DefaultMaxFetchSize = 1000;
    /// <summary>Defaults to 60 seconds: long polls longer than this are cut by proxies more often than they help.</summary>
    public static readonly TimeSpan DefaultMaxWait = TimeSpan.FromSeconds(60);
    /// <summary>Defaults to 20 entries: enough to see a pattern, bounded so a flapping job cannot grow without end.</summary>
    public const int DefaultMaxErrorHistory = 20;
    /// <summary>Defaults to 16 KiB per error text (message or details); longer text is cut with a marker.</summary>
    public const int DefaultMaxErrorTextLength = 16 * 1024;
    /// <summary>Defaults to 1000 attempts as the ceiling a job may ask for.</summary>
    public const int DefaultMaxAttemptsCeiling = 1000;
    /// <summary>Defaults to 24 hours as the longest lease a job may ask for; heartbeats exist for longer work.</summary>
    public static readonly TimeSpan DefaultMaxTimeout = TimeSpan.FromHours(24);

    /// <summary>3650 days: the longest a job may be scheduled ahead (<c>delay</c>, <c>run_at</c>), far enough for any
    /// calendar, near enough to catch unit mistakes (milliseconds given as seconds). Fixed, not configurable.</summary>
    public const int MaxScheduleAheadDays = 3650;
    /// <summary><see cref="MaxScheduleAheadDays"/> as a span.</summary>
    public static readonly TimeSpan MaxScheduleAhead = TimeSpan.FromDays(MaxScheduleAheadDays);
    /// <summary>1 second: the shortest lease a job may ask for; a shorter one would expire before a worker's first
    /// heartbeat could reach the server. Fixed, not configurable.</summary>
    public const int MinTimeoutSeconds = 1;
    /// <summary><see cref="MinTimeoutSeconds"/> as a span.</summary>
    public static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(MinTimeoutSeconds);
    /// <summary>The highest <see cref="MaxTimeout"/> a server accepts (30 days): the longest lease any server can grant,
    /// which clients such as the CLI check before sending.</summary>
    public static readonly TimeSpan HighestMaxTimeout = TimeSpan.FromDays(30);
    /// <summary>The highest <see cref="MaxAttemptsCeiling"/> a server accepts: the most attempts any server can grant.</summary>
    public const int HighestMaxAttemptsCeiling = 1_000_000;

    public int MaxPayloadBytes { get; set; } = DefaultMaxPayloadBytes;
    public int MaxResultBytes { get; set; } = DefaultMaxResultBytes;
    public int MaxUniqueKeyLength { get; set; } = DefaultMaxUniqueKeyLength;
    public int MaxBatchSize { get; set; } = DefaultMaxBatchSize;
    public int MaxFetchSize { get; set; } = DefaultMaxFetchSize;
    public TimeSpan MaxWait { get; set; } = DefaultMaxWait;
    public int MaxErrorHistory { get; set; } = DefaultMaxErrorHistory;
    public int MaxErrorTextLength { get; set; } = DefaultMaxErrorTextLength;
    public int MaxAttemptsCeiling { get; set; } = DefaultMaxAttemptsCeiling;
    public TimeSpan MaxTimeout { get; set; } = DefaultMaxTimeout;
}
