using Gantry.Core.Stats;
using Xunit;

namespace Gantry.Core.Tests.Stats;

/// <summary>LogHistogram: bucket bounds, nearest-rank percentiles within the promised precision, merge and clear.</summary>
public sealed class LogHistogramTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Fact]
    public void Percentile_OfAnEmptyHistogram_IsNull()
    {
        var h = new LogHistogram();

        Assert.Null(h.Percentile(0.5));
        Assert.Equal(0, h.Count);
    }

    [Fact]
    public void Percentile_WhenEveryValueIsTheSame_IsThatValueExactly()
    {
        var h = new LogHistogram();
        for (var i = 0; i < 10; i++) h.Add(TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromSeconds(5), h.Percentile(0.5));
        Assert.Equal(TimeSpan.FromSeconds(5), h.Percentile(0.99));
        Assert.Equal(TimeSpan.FromSeconds(50), h.Sum);
    }

    [Fact]
    public void BucketOf_PutsEachBoundInItsOwnBucket_AndTheNextValueInTheNext()
    {
        Assert.Equal(0, LogHistogram.BucketOf(TimeSpan.Zero));
        Assert.Equal(0, LogHistogram.BucketOf(Ms(1)));
        Assert.Equal(1, LogHistogram.BucketOf(Ms(1.01)));
        Assert.Equal(8, LogHistogram.BucketOf(Ms(2)));
        Assert.Equal(9, LogHistogram.BucketOf(Ms(2.001)));
        Assert.Equal(Ms(2), LogHistogram.UpperBound(8));
        Assert.Equal(LogHistogram.BucketCount - 1, LogHistogram.BucketOf(TimeSpan.FromDays(30)));
    }

    [Fact]
    public void Percentile_UsesTheNearestRank()
    {
        // 1..100 ms: the p50 is the 50th value, the p95 the 95th, the p99 the 99th.
        var h = new LogHistogram();
        for (var i = 100; i >= 1; i--) h.Add(Ms(i));

        AssertWithinBucket(Ms(50), h.Percentile(0.50));
        AssertWithinBucket(Ms(95), h.Percentile(0.95));
        AssertWithinBucket(Ms(99), h.Percentile(0.99));
        Assert.Equal(Ms(100), h.Percentile(1));
        Assert.Equal(Ms(100), h.Max);
        Assert.Equal(Ms(1), h.Min);
    }

    [Fact]
    public void Percentile_OfTwoClusters_PicksTheClusterTheRankFallsIn()
    {
        var h = new LogHistogram();
        for (var i = 0; i < 94; i++) h.Add(Ms(10));
        for (var i = 0; i < 6; i++) h.Add(TimeSpan.FromSeconds(40));

        // 94 % of the values are 10 ms: p50 and p94 are there, p95 is in the slow cluster.
        AssertWithinBucket(Ms(10), h.Percentile(0.50));
        AssertWithinBucket(Ms(10), h.Percentile(0.94));
        Assert.Equal(TimeSpan.FromSeconds(40), h.Percentile(0.95));
    }

    [Fact]
    public void Percentile_OfValuesBeyondTheLastBucket_IsTheLargestSeen()
    {
        var h = new LogHistogram();
        h.Add(TimeSpan.FromDays(3));
        h.Add(TimeSpan.FromDays(4));

        // Both share the last bucket: any percentile there is the largest value seen (never below the truth).
        Assert.Equal(TimeSpan.FromDays(4), h.Percentile(0.99));
        Assert.Equal(TimeSpan.FromDays(4), h.Percentile(0.5));
    }

    [Fact]
    public void Add_ClampsNegativeDurationsToZero()
    {
        var h = new LogHistogram();
        h.Add(TimeSpan.FromSeconds(-3));

        Assert.Equal(TimeSpan.Zero, h.Percentile(0.5));
        Assert.Equal(TimeSpan.Zero, h.Sum);
    }

    [Fact]
    public void Merge_AddsCountsSumsAndExtremes_AndClearForgetsThem()
    {
        var a = new LogHistogram();
        var b = new LogHistogram();
        a.Add(Ms(10));
        b.Add(Ms(1000));
        b.Add(Ms(3000));

        a.Merge(b);

        Assert.Equal(3, a.Count);
        Assert.Equal(Ms(4010), a.Sum);
        Assert.Equal(Ms(10), a.Min);
        Assert.Equal(Ms(3000), a.Max);
        AssertWithinBucket(Ms(1000), a.Percentile(0.5));

        a.Clear();
        Assert.Equal(0, a.Count);
        Assert.Null(a.Percentile(0.5));
        a.Add(Ms(7));
        Assert.Equal(Ms(7), a.Percentile(0.5));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-0.1)]
    [InlineData(1.01)]
    [InlineData(double.NaN)]
    public void Percentile_OutsideZeroToOne_IsRefused(double q)
    {
        var h = new LogHistogram();
        h.Add(Ms(1));

        Assert.Throws<ArgumentOutOfRangeException>(() => h.Percentile(q));
    }

    /// <summary>The promise: never below the true value, at most one bucket (9 %) above.</summary>
    internal static void AssertWithinBucket(TimeSpan expected, TimeSpan? actual)
    {
        Assert.NotNull(actual);
        Assert.True(actual >= expected && actual.Value.TotalMilliseconds <= expected.TotalMilliseconds * LogHistogram.BucketRatio + 1e-9,
            $"expected {expected.TotalMilliseconds} ms to {expected.TotalMilliseconds * LogHistogram.BucketRatio:0.###} ms, got {actual.Value.TotalMilliseconds} ms");
    }
}
