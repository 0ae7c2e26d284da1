namespace Gantry.Core.Stats;

/// <summary>What one look at a queue's delay changed.</summary>
public enum FallingBehindChange : byte
{
    None,
    /// <summary>The delay has stayed above the threshold for the whole period: the queue is now falling behind.</summary>
    Began,
    /// <summary>The delay has stayed at or below the threshold for the whole period: the queue has caught up.</summary>
    Recovered,
}

/// <summary>
/// Whether a queue is falling behind: its delay p95 stayed above a threshold for a period. Recovery needs the same
/// period at or below the threshold, so a p95 that hovers around the line does not flap (and the warning and the
/// all-clear are each logged once per episode). A pure state machine over (time, delay) observations.
/// </summary>
/// <remarks>Not thread-safe: the owner locks. An observation older than the previous one is ignored.</remarks>
public sealed class FallingBehindDetector(TimeSpan threshold, TimeSpan period)
{
    private DateTimeOffset? _lastSeen;
    private DateTimeOffset? _conditionSince;

    public bool IsBehind { get; private set; }

    /// <summary>Since when the delay has been above the threshold, while <see cref="IsBehind"/>.</summary>
    public DateTimeOffset? BehindSince { get; private set; }

    /// <param name="now">When the observation is made.</param>
    /// <param name="delay">The delay p95 now; null when no job ended in the window (nothing waits long if nothing runs:
    /// counts as at or below the threshold).</param>
    public FallingBehindChange Observe(DateTimeOffset now, TimeSpan? delay)
    {
        if (_lastSeen is { } last && now < last) return FallingBehindChange.None;
        _lastSeen = now;
        var above = delay > threshold;
        // While on time we watch for "above"; while behind, for "at or below". The other reading resets the clock.
        if (above == IsBehind)
        {
            _conditionSince = null;
            return FallingBehindChange.None;
        }
        _conditionSince ??= now;
        if (now - _conditionSince < period) return FallingBehindChange.None;
        IsBehind = !IsBehind;
        BehindSince = IsBehind ? _conditionSince : null;
        _conditionSince = null;
        return IsBehind ? FallingBehindChange.Began : FallingBehindChange.Recovered;
    }
}
