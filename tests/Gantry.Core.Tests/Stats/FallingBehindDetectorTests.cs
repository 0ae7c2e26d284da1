using Gantry.Core.Stats;
using Xunit;

namespace Gantry.Core.Tests.Stats;

/// <summary>FallingBehindDetector: above the threshold for the whole period to fall behind, at or below for the whole
/// period to recover; one change per episode.</summary>
public sealed class FallingBehindDetectorTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Slow = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(2);

    private readonly FallingBehindDetector _detector = new(Threshold, Period);

    private FallingBehindChange At(double seconds, TimeSpan? delay) => _detector.Observe(T.AddSeconds(seconds), delay);

    [Fact]
    public void Observe_AboveForLessThanThePeriod_IsNotBehind()
    {
        Assert.Equal(FallingBehindChange.None, At(0, Slow));
        Assert.Equal(FallingBehindChange.None, At(59, Slow));

        Assert.False(_detector.IsBehind);
        Assert.Null(_detector.BehindSince);
    }

    [Fact]
    public void Observe_AboveForThePeriod_BeginsOnce_AndSaysSinceWhen()
    {
        At(0, Slow);
        Assert.Equal(FallingBehindChange.Began, At(60, Slow));
        Assert.Equal(FallingBehindChange.None, At(70, Slow));
        Assert.Equal(FallingBehindChange.None, At(600, Slow));

        Assert.True(_detector.IsBehind);
        Assert.Equal(T, _detector.BehindSince);
    }

    [Fact]
    public void Observe_ExactlyAtTheThreshold_IsNotAbove()
    {
        At(0, Threshold);
        Assert.Equal(FallingBehindChange.None, At(120, Threshold));
        Assert.False(_detector.IsBehind);
    }

    [Fact]
    public void Observe_ADipBelowTheThreshold_StartsThePeriodAgain()
    {
        At(0, Slow);
        At(50, Fast);
        Assert.Equal(FallingBehindChange.None, At(70, Slow));
        Assert.Equal(FallingBehindChange.None, At(129, Slow));
        Assert.Equal(FallingBehindChange.Began, At(130, Slow));
        Assert.Equal(T.AddSeconds(70), _detector.BehindSince);
    }

    [Fact]
    public void Observe_BelowForThePeriodWhileBehind_RecoversOnce()
    {
        At(0, Slow);
        At(60, Slow);

        Assert.Equal(FallingBehindChange.None, At(100, Fast));
        Assert.True(_detector.IsBehind);
        Assert.Equal(FallingBehindChange.Recovered, At(160, null)); // nothing in the window counts as on time
        Assert.Equal(FallingBehindChange.None, At(200, Fast));

        Assert.False(_detector.IsBehind);
        Assert.Null(_detector.BehindSince);
    }

    [Fact]
    public void Observe_ABlipAboveWhileRecovering_KeepsTheQueueBehind()
    {
        At(0, Slow);
        At(60, Slow);
        At(100, Fast);
        At(130, Slow);

        Assert.Equal(FallingBehindChange.None, At(161, Fast));
        Assert.True(_detector.IsBehind);
        Assert.Equal(FallingBehindChange.Recovered, At(221, Fast));
    }

    [Fact]
    public void Observe_WithAZeroPeriod_ChangesAtTheFirstObservation()
    {
        var detector = new FallingBehindDetector(Threshold, TimeSpan.Zero);

        Assert.Equal(FallingBehindChange.Began, detector.Observe(T, Slow));
        Assert.Equal(FallingBehindChange.Recovered, detector.Observe(T.AddSeconds(1), Fast));
    }

    [Fact]
    public void Observe_OlderThanThePreviousObservation_IsIgnored()
    {
        At(100, Slow);
        Assert.Equal(FallingBehindChange.None, At(0, Slow));
        Assert.Equal(FallingBehindChange.None, At(159, Slow));
        Assert.Equal(FallingBehindChange.Began, At(160, Slow));
    }
}
