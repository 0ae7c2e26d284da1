namespace Gantry.Core.Options;

/// <summary>What a job gets when its enqueue request leaves an option out. Configuration: <c>Gantry:Jobs</c>.</summary>
public sealed class JobDefaults
{
    /// <summary>Defaults to 20 attempts: with the default backoff that spans about ten hours of retries,
    /// long enough to ride out an outage of a dependency, short enough that a broken job ends up dead the same day.</summary>
    public const int DefaultMaxAttempts = 20;
    /// <summary>Defaults to 60 seconds of lease: the SDK heartbeats every third of it, so a dead worker's
    /// job is back in the queue within a minute while slow jobs that heartbeat run as long as they need.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);
    /// <summary>Defaults to priority 0; higher runs first.</summary>
    public const int DefaultPriority = 0;

    public int MaxAttempts { get; set; } = DefaultMaxAttempts;
    public TimeSpan Timeout { get; set; } = DefaultTimeout;
    public int Priority { get; set; } = DefaultPriority;
}
