using Gantry.Core.Options;

namespace Gantry.Core.Jobs;

/// <summary>Exponential backoff with jitter: BaseDelay × 2^(attempt−1), capped at MaxDelay, then ± Jitter.</summary>
public sealed class RetryPolicy(RetryOptions options, Func<double>? random = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    /// <summary>How long to wait before the attempt after <paramref name="failedAttempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int failedAttempt)
    {
        var exponent = Math.Clamp(failedAttempt - 1, 0, 62);
        var baseTicks = (double)options.BaseDelay.Ticks * Math.Pow(2, exponent);
        var capped = Math.Min(baseTicks, options.MaxDelay.Ticks);
        // Uniform in [1 − jitter, 1 + jitter]: spreads retries of jobs that failed together.
        var factor = 1 + options.Jitter * (2 * _random() - 1);
        return TimeSpan.FromTicks((long)Math.Max(0, capped * factor));
    }
}
