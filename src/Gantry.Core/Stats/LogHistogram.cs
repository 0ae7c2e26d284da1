namespace Gantry.Core.Stats;

/// <summary>
/// Durations counted in buckets whose bounds grow geometrically, so any percentile is a walk over a fixed, small array
/// and memory does not grow with the number of jobs. A percentile is reported as its bucket's upper bound, clamped to
/// the smallest and largest value seen: never below the true value and at most <see cref="BucketRatio"/> − 1 (9 %)
/// above it, and exact when all values fall in one bucket.
/// </summary>
/// <remarks>Not thread-safe: the owner locks.</remarks>
public sealed class LogHistogram
{
    /// <summary>8 buckets per doubling: each bucket is 2^(1/8) ≈ 1.09 times as wide as the one below, so a reported
    /// percentile is at most 9 % high.</summary>
    public const int BucketsPerDoubling = 8;

    /// <summary>Bucket 0 holds everything up to 1 ms; finer delays are noise next to a store round trip.</summary>
    public static readonly TimeSpan Smallest = TimeSpan.FromMilliseconds(1);

    /// <summary>27 doublings above 1 ms reach about 37 hours; longer durations share the last bucket (their percentile
    /// is then the largest value seen).</summary>
    public const int Doublings = 27;

    /// <summary>217 counters of 4 bytes: under 1 KiB per histogram.</summary>
    public const int BucketCount = 1 + Doublings * BucketsPerDoubling;

    public static readonly double BucketRatio = Math.Pow(2, 1.0 / BucketsPerDoubling);

    private readonly int[] _counts = new int[BucketCount];

    public long Count { get; private set; }
    public TimeSpan Sum { get; private set; }
    public TimeSpan Min { get; private set; } = TimeSpan.MaxValue;
    public TimeSpan Max { get; private set; } = TimeSpan.MinValue;

    public void Add(TimeSpan value)
    {
        if (value < TimeSpan.Zero) value = TimeSpan.Zero;
        _counts[BucketOf(value)]++;
        Count++;
        Sum += value;
        if (value < Min) Min = value;
        if (value > Max) Max = value;
    }

    public void Merge(LogHistogram other)
    {
        if (other.Count == 0) return;
        for (var i = 0; i < BucketCount; i++) _counts[i] += other._counts[i];
        Count += other.Count;
        Sum += other.Sum;
        if (other.Min < Min) Min = other.Min;
        if (other.Max > Max) Max = other.Max;
    }

    public void Clear()
    {
        Array.Clear(_counts);
        Count = 0;
        Sum = TimeSpan.Zero;
        Min = TimeSpan.MaxValue;
        Max = TimeSpan.MinValue;
    }

    /// <summary>The <paramref name="quantile"/> (0 &lt; q ≤ 1) by the nearest-rank method; null when empty.</summary>
    public TimeSpan? Percentile(double quantile)
    {
        if (quantile is <= 0 or > 1 || double.IsNaN(quantile))
            throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "a quantile is above 0 and at most 1");
        if (Count == 0) return null;
        var rank = Math.Max(1, (long)Math.Ceiling(quantile * Count));
        long seen = 0;
        for (var i = 0; i < BucketCount; i++)
        {
            seen += _counts[i];
            if (seen < rank) continue;
            var bound = UpperBound(i);
            return bound < Min ? Min : bound > Max ? Max : bound;
        }
        return Max;
    }

    /// <summary>The bucket <paramref name="value"/> falls in: 0 up to <see cref="Smallest"/>, then bucket i holds
    /// (2^((i−1)/8), 2^(i/8)] ms.</summary>
    public static int BucketOf(TimeSpan value)
    {
        var ms = value.TotalMilliseconds;
        if (ms <= 1) return 0;
        var i = (int)Math.Ceiling(Math.Log2(ms) * BucketsPerDoubling);
        return Math.Min(i, BucketCount - 1);
    }

    /// <summary>The largest value bucket <paramref name="bucket"/> holds (the last bucket holds everything above).</summary>
    public static TimeSpan UpperBound(int bucket) => bucket >= BucketCount - 1
        ? TimeSpan.MaxValue
        : TimeSpan.FromMilliseconds(Math.Pow(2, (double)bucket / BucketsPerDoubling));
}
