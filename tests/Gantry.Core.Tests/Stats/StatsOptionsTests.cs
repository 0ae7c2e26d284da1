using Gantry.Core.Stats;
using Xunit;

namespace Gantry.Core.Tests.Stats;

/// <summary>StatsOptions: the defaults are valid, and each bad value is reported with its configuration key.</summary>
public sealed class StatsOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndNamed()
    {
        var options = new StatsOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(TimeSpan.FromMinutes(5), options.Window);
        Assert.Equal(5, options.Buckets);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DelayWarning);
        Assert.True(options.WarningEnabled);
    }

    [Theory]
    [InlineData("Window", "00:05:30", "Gantry:Stats:Window")]
    [InlineData("Window", "2.00:00:00", "Gantry:Stats:Window")]
    [InlineData("BucketWidth", "00:00:00.5", "Gantry:Stats:BucketWidth")]
    [InlineData("DelayWarning", "-00:00:01", "Gantry:Stats:DelayWarning")]
    [InlineData("DelayWarningPeriod", "-00:00:01", "Gantry:Stats:DelayWarningPeriod")]
    [InlineData("CheckInterval", "00:00:00", "Gantry:Stats:CheckInterval")]
    public void Validate_NamesTheKeyOfABadValue(string property, string value, string key)
    {
        var options = new StatsOptions();
        typeof(StatsOptions).GetProperty(property)!.SetValue(options, TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture));

        var error = Assert.Single(options.Validate());
        Assert.StartsWith(key + " ", error);
    }

    [Theory]
    [InlineData(0.5, "Gantry:Stats:IdleExpiry must be between 1 and 2592000 seconds (30 days) (got 0.5).")]
    [InlineData(3_000_000, "Gantry:Stats:IdleExpiry must be between 1 and 2592000 seconds (30 days) (got 3000000).")]
    public void IdleExpiry_OutOfRange_IsReportedInSeconds(double seconds, string expected) =>
        Assert.Equal(expected, Assert.Single(new StatsOptions { IdleExpiry = TimeSpan.FromSeconds(seconds) }.Validate()));

    [Fact]
    public void MaxQueues_OfZero_IsReported() =>
        Assert.Equal("Gantry:Stats:MaxQueues must be between 1 and 10000000 (got 0).", Assert.Single(new StatsOptions { MaxQueues = 0 }.Validate()));

    [Fact]
    public void DelayWarning_OfZero_TurnsTheWarningOff()
    {
        var options = new StatsOptions { DelayWarning = TimeSpan.Zero };

        Assert.Empty(options.Validate());
        Assert.False(options.WarningEnabled);
    }
}
