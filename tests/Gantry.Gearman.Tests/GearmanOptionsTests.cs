using Xunit;

namespace Gantry.Gearman.Tests;

/// <summary>The Gearman front's settings name their key and say what is allowed, in seconds and bytes.</summary>
public sealed class GearmanOptionsTests
{
    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(new GearmanOptions().Validate());

    [Theory]
    [InlineData("auto")]
    [InlineData("seconds")]
    [InlineData("Milliseconds")]
    public void Each_timeout_unit_is_accepted(string unit) => Assert.Empty(new GearmanOptions { CanDoTimeoutUnit = unit }.Validate());

    [Fact]
    public void Another_timeout_unit_is_refused() => Assert.Equal(
        "Gantry:Gearman:CanDoTimeoutUnit must be 'auto', 'seconds' or 'milliseconds' (got 'ms').",
        Assert.Single(new GearmanOptions { CanDoTimeoutUnit = "ms" }.Validate()));

    [Fact]
    public void A_partial_packet_timeout_under_a_second_is_refused_in_seconds() => Assert.Equal(
        "Gantry:Gearman:PartialPacketTimeout must be between 1 and 86400 seconds (got 0.5).",
        Assert.Single(new GearmanOptions { PartialPacketTimeout = TimeSpan.FromMilliseconds(500) }.Validate()));

    [Fact]
    public void A_bound_on_buffered_bytes_that_one_largest_packet_would_pass_is_refused() => Assert.Equal(
        "Gantry:Gearman:MaxBufferedBytes must be at least Gantry:Gearman:MaxPacketBytes plus its 12-byte header (1036), " +
        "so that one packet of the largest size can arrive (got 1035).",
        Assert.Single(new GearmanOptions { MaxPacketBytes = 1024, MaxBufferedBytes = 1035 }.Validate()));
}
