using Gantry.Core;
using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Xunit;

namespace Gantry.Core.Tests.Jobs;

/// <summary>TimeRange: time fields are checked as numbers of seconds, and refused in seconds (never as a TimeSpan's
/// d.hh:mm:ss), with the limit and the setting it comes from.</summary>
public sealed class TimeRangeTests
{
    private static readonly JobLimits Limits = new() { MaxTimeout = TimeSpan.FromHours(24), MaxWait = TimeSpan.FromSeconds(60) };

    [Theory]
    [InlineData(1e12)]  // does not fit in a TimeSpan
    [InlineData(1e300)]
    [InlineData(-1)]
    [InlineData(315360000.001)]
    public void Delay_out_of_range_names_the_field_and_the_range_in_seconds_and_days(double seconds)
    {
        var error = Assert.Throws<GantryException>(() => TimeRange.Delay.FromSeconds(seconds, "jobs[2].delay"));

        Assert.Equal(GantryErrorKind.Invalid, error.Kind);
        Assert.Equal("jobs[2].delay", error.Field);
        Assert.StartsWith("jobs[2].delay: delay must be between 0 and 315360000 seconds (3650 days); got ", error.Message);
        Assert.DoesNotContain(":00", error.Message);
    }

    [Fact]
    public void A_huge_number_is_written_short()
    {
        var error = Assert.Throws<GantryException>(() => TimeRange.Delay.FromSeconds(1e300, "delay"));
        Assert.EndsWith("got 1E+300.", error.Message);
    }

    [Fact]
    public void Timeout_names_its_setting_and_a_span_gets_the_same_message_as_a_number()
    {
        var fromNumber = Assert.Throws<GantryException>(() => TimeRange.Timeout(Limits).FromSeconds(1e7, "timeout"));
        var fromSpan = Assert.Throws<GantryException>(() => TimeRange.Timeout(Limits).Check(TimeSpan.FromSeconds(1e7), "timeout"));

        Assert.Equal("timeout: timeout must be between 1 and 86400 seconds (24 hours, Gantry:Limits:MaxTimeout); got 10000000.", fromNumber.Message);
        Assert.Equal(fromNumber.Message, fromSpan.Message);
    }

    [Fact]
    public void Wait_under_two_minutes_is_said_in_seconds_only()
    {
        var error = Assert.Throws<GantryException>(() => TimeRange.Wait(Limits).FromSeconds(61, "wait"));
        Assert.Equal("wait: wait must be between 0 and 60 seconds (Gantry:Limits:MaxWait); got 61.", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(315360000)]
    public void Values_at_the_bounds_are_accepted(double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), TimeRange.Delay.FromSeconds(seconds, "delay"));

    [Fact]
    public void Left_out_is_left_out() => Assert.Null(TimeRange.Delay.FromSeconds(null, "delay"));
}
