namespace Gantry.Core.Options;

/// <summary>How often the engine's background loops look at the store. Configuration: <c>Gantry:Timings</c>.</summary>
public sealed class EngineTimings
{
    /// <summary>Defaults to 1 second between checks for expired leases: a dead worker's job is back
    /// within a second of its lease running out.</summary>
    public static readonly TimeSpan DefaultLeaseCheckInterval = TimeSpan.FromSeconds(1);
    /// <summary>Defaults to 5 seconds: the slow poll that covers notifications lost between servers
    /// sharing a store (a dropped LISTEN connection, say). Pickup never waits on it otherwise.</summary>
    public static readonly TimeSpan DefaultFallbackPollInterval = TimeSpan.FromSeconds(5);
    /// <summary>Defaults to 1 second: the longest the scheduler sleeps before looking for due jobs that
    /// another server scheduled; jobs scheduled through this server wake it at their exact time.</summary>
    public static readonly TimeSpan DefaultSchedulerMaxSleep = TimeSpan.FromSeconds(1);

    public TimeSpan LeaseCheckInterval { get; set; } = DefaultLeaseCheckInterval;
    public TimeSpan FallbackPollInterval { get; set; } = DefaultFallbackPollInterval;
    public TimeSpan SchedulerMaxSleep { get; set; } = DefaultSchedulerMaxSleep;
}
