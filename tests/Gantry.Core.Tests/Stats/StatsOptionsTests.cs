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

    [Fact]
    public void DelayWarning_OfZero_TurnsTheWarningOff()
    {
        var options = new StatsOptions { DelayWarning = TimeSpan.Zero };

        Assert.Empty(options.Validate());
        Assert.False(options.WarningEnabled);
    }
}
