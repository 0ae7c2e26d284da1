namespace Gantry.Core.Options;

/// <summary>Backoff between attempts of a failed job. Configuration: <c>Gantry:Retry</c>.</summary>
public sealed class RetryOptions
{
    /// <summary>Defaults to 2 seconds before the first retry: a transient glitch is usually gone by then.</summary>
    public static readonly TimeSpan DefaultBaseDelay = TimeSpan.FromSeconds(2);
    /// <summary>Defaults to 1 hour between retries at most, so a long outage is retried at least hourly.</summary>
    public static readonly TimeSpan DefaultMaxDelay = TimeSpan.FromHours(1);
    /// <summary>Defaults to ±20 % of the delay, so jobs that failed together do not retry together.</summary>
    public const double DefaultJitter = 0.2;

    public TimeSpan BaseDelay { get; set; } = DefaultBaseDelay;
    public TimeSpan MaxDelay { get; set; } = DefaultMaxDelay;
    public double Jitter { get; set; } = DefaultJitter;
}
