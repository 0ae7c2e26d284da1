using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Xunit;

namespace Gantry.Core.Tests.Jobs;

/// <summary>RetryPolicy: BaseDelay × 2^(attempt−1), capped at MaxDelay, then ± Jitter from an injected random.</summary>
public sealed class RetryPolicyTests
{
    private static RetryPolicy Policy(TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, double jitter = 0, Func<double>? random = null) =>
        new(new RetryOptions
        {
            BaseDelay = baseDelay ?? RetryOptions.DefaultBaseDelay,
            MaxDelay = maxDelay ?? RetryOptions.DefaultMaxDelay,
            Jitter = jitter,
        }, random ?? (() => 0.123));

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(4, 16)]
    [InlineData(5, 32)]
    [InlineData(10, 1024)]
    [InlineData(11, 2048)]
    public void DelayAfter_NoJitter_DoublesFromTwoSecondsPerFailedAttempt(int failedAttempt, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Policy().DelayAfter(failedAttempt));

    [Theory]
    [InlineData(12)]   // 4096 s would pass the hour
    [InlineData(20)]
    [InlineData(63)]
    [InlineData(64)]
    public void DelayAfter_NoJitter_IsCappedAtMaxDelay(int failedAttempt) =>
        Assert.Equal(TimeSpan.FromHours(1), Policy().DelayAfter(failedAttempt));

    [Fact]
    public void DelayAfter_NoJitter_NeverGrowsAndNeverPassesTheCap()
    {
        var policy = Policy(maxDelay: TimeSpan.FromSeconds(100));
        var previous = TimeSpan.Zero;
        for (var attempt = 1; attempt <= 200; attempt++)
        {
            var delay = policy.DelayAfter(attempt);
            Assert.True(delay >= previous, $"attempt {attempt}: {delay} < {previous}");
            Assert.True(delay <= TimeSpan.FromSeconds(100), $"attempt {attempt}: {delay}");
            previous = delay;
        }
        Assert.Equal(TimeSpan.FromSeconds(100), previous);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue - 1)]
    [InlineData(1_000_000)]
    public void DelayAfter_HugeAttemptNumbers_DoNotOverflowAndGiveMaxDelay(int failedAttempt)
    {
        // A one-day base with a 30-day cap: 2^62 days would overflow TimeSpan if the cap came late.
        var policy = Policy(baseDelay: TimeSpan.FromDays(1), maxDelay: TimeSpan.FromDays(30), jitter: 1, random: () => 1);
        Assert.Equal(TimeSpan.FromDays(60), policy.DelayAfter(failedAttempt));
        Assert.Equal(TimeSpan.FromDays(30), Policy(TimeSpan.FromDays(1), TimeSpan.FromDays(30)).DelayAfter(failedAttempt));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void DelayAfter_AttemptBelowOne_UsesTheBaseDelay(int failedAttempt) =>
        Assert.Equal(TimeSpan.FromSeconds(2), Policy().DelayAfter(failedAttempt));

    [Fact]
    public void DelayAfter_RandomZero_ShortensByTheJitterFraction() =>
        // 8 s × (1 − 0.25)
        Assert.Equal(TimeSpan.FromSeconds(6), Policy(jitter: 0.25, random: () => 0).DelayAfter(3));

    [Fact]
    public void DelayAfter_RandomOne_LengthensByTheJitterFraction() =>
        // 8 s × (1 + 0.25)
        Assert.Equal(TimeSpan.FromSeconds(10), Policy(jitter: 0.25, random: () => 1).DelayAfter(3));

    [Fact]
    public void DelayAfter_RandomOneHalf_GivesTheExactDelay() =>
        Assert.Equal(TimeSpan.FromSeconds(8), Policy(jitter: 0.25, random: () => 0.5).DelayAfter(3));

    [Fact]
    public void DelayAfter_JitterIsAppliedAfterTheCap()
    {
        var capped = Policy(maxDelay: TimeSpan.FromSeconds(60), jitter: 0.25, random: () => 1);
        Assert.Equal(TimeSpan.FromSeconds(75), capped.DelayAfter(30));
    }

    [Fact]
    public void DelayAfter_FullJitterWithRandomZero_IsZeroNotNegative() =>
        Assert.Equal(TimeSpan.Zero, Policy(jitter: 1, random: () => 0).DelayAfter(4));

    [Fact]
    public void DelayAfter_ZeroBaseDelay_RetriesAtOnce() =>
        Assert.Equal(TimeSpan.Zero, Policy(baseDelay: TimeSpan.Zero, jitter: 0.5, random: () => 1).DelayAfter(9));

    [Fact]
    public void DelayAfter_AsksTheRandomSourceOncePerCall()
    {
        var calls = 0;
        var policy = Policy(jitter: 0.2, random: () => { calls++; return 0.5; });
        policy.DelayAfter(1);
        policy.DelayAfter(2);
        Assert.Equal(2, calls);
    }

    [Fact]
    public void DelayAfter_DefaultRandom_StaysWithinTheDefaultJitterBand()
    {
        var policy = new RetryPolicy(new RetryOptions());
        for (var i = 0; i < 1000; i++)
        {
            var delay = policy.DelayAfter(3); // 8 s ± 20 %
            Assert.InRange(delay, TimeSpan.FromSeconds(6.4), TimeSpan.FromSeconds(9.6));
        }
    }
}
