using Gantry.Core.Stats;
using Xunit;

namespace Gantry.Core.Tests.Stats;

/// <summary>CumulativeHistogram: Prometheus' "le" (less than or equal) buckets, cumulative counts, sum and count.</summary>
public sealed class CumulativeHistogramTests
{
    [Fact]
    public void Snapshot_CountsEachValueInEveryBucketAtOrAboveIt()
    {
        var h = new CumulativeHistogram();
        h.Add(TimeSpan.FromMilliseconds(5));   // exactly on the first bound: counts there (le is "at or below")
        h.Add(TimeSpan.FromSeconds(2));
        h.Add(TimeSpan.FromSeconds(30));
        h.Add(TimeSpan.FromHours(2));          // above the last bound: only +Inf

        var s = h.Snapshot();
        var bounds = CumulativeHistogram.BoundsSeconds;
        long At(double bound) => s.CumulativeCounts[bounds.ToList().IndexOf(bound)];

        Assert.Equal(bounds.Count + 1, s.CumulativeCounts.Count);
        Assert.Equal(1, At(0.005));
        Assert.Equal(1, At(1));
        Assert.Equal(2, At(2.5));
        Assert.Equal(3, At(30));
        Assert.Equal(3, At(3600));
        Assert.Equal(4, s.CumulativeCounts[^1]);
        Assert.Equal(4, s.Count);
        Assert.Equal(0.005 + 2 + 30 + 7200, s.SumSeconds, 9);
    }

    [Fact]
    public void Bounds_GrowAndIncludeTheDefaultDelayWarning()
    {
        var bounds = CumulativeHistogram.BoundsSeconds;

        Assert.True(bounds.Zip(bounds.Skip(1)).All(p => p.First < p.Second));
        Assert.Contains(StatsOptions.DefaultDelayWarning.TotalSeconds, bounds);
    }
}
