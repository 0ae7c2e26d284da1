namespace Gantry.Core.Stats;

/// <summary>
/// A Prometheus-style histogram: counts per fixed upper bound since the server started, with their sum and count.
/// The bounds are round numbers a dashboard can name (and include the default delay warning, 30 s, so an alert can
/// use the same line); rates and quantiles over any window are the monitoring system's job.
/// </summary>
/// <remarks>Not thread-safe: the owner locks.</remarks>
public sealed class CumulativeHistogram
{
    /// <summary>Upper bounds in seconds, from 5 ms to an hour; larger values count only in +Inf.</summary>
    public static IReadOnlyList<double> BoundsSeconds { get; } =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private static readonly double[] Bounds = [.. BoundsSeconds];

    private readonly long[] _counts = new long[Bounds.Length + 1];
    private long _count;
    private double _sumSeconds;

    public void Add(TimeSpan value)
    {
        var seconds = value < TimeSpan.Zero ? 0 : value.TotalSeconds;
        var i = Array.BinarySearch(Bounds, seconds);
        _counts[i >= 0 ? i : ~i]++;
        _count++;
        _sumSeconds += seconds;
    }

    public CumulativeHistogramSnapshot Snapshot()
    {
        var cumulative = new long[_counts.Length];
        long running = 0;
        for (var i = 0; i < _counts.Length; i++) cumulative[i] = running += _counts[i];
        return new CumulativeHistogramSnapshot(cumulative, _sumSeconds, _count);
    }
}

/// <summary>A <see cref="CumulativeHistogram"/> at one moment.</summary>
/// <param name="CumulativeCounts">Values at or below each of <see cref="CumulativeHistogram.BoundsSeconds"/>, then all (+Inf).</param>
/// <param name="SumSeconds">The sum of all values.</param>
/// <param name="Count">How many values.</param>
public sealed record CumulativeHistogramSnapshot(IReadOnlyList<long> CumulativeCounts, double SumSeconds, long Count);
