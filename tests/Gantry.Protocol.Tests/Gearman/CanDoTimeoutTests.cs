using System.Text;
using Gantry.Protocol.Gearman;
using Xunit;
using U = Gantry.Protocol.Gearman.GearmanTimeoutUnit;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>CAN_DO_TIMEOUT's number: seconds from clients written for gearmand before 1.1.19 (Perl's Gearman::Worker),
/// milliseconds from those written for 1.1.19+ (libgearman); <c>auto</c> tells them apart at 1000.</summary>
public sealed class CanDoTimeoutTests
{
    private static TimeSpan Read(string field, U unit) => GearmanCanDoTimeout.Read(Encoding.ASCII.GetBytes(field), unit);

    [Theory]
    [InlineData("1", 1_000)]
    [InlineData("3", 3_000)]
    [InlineData("1.5", 1_500)]
    [InlineData("999", 999_000)]
    [InlineData("1000", 1_000)]
    [InlineData("1500", 1_500)]
    [InlineData("30000", 30_000)]
    public void Auto_reads_below_1000_as_seconds_and_from_1000_as_milliseconds(string field, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Read(field, U.Auto));

    [Theory]
    [InlineData("3", 3_000)]
    [InlineData("1500", 1_500_000)]
    [InlineData("0.25", 250)]
    public void Seconds_reads_every_number_as_seconds(string field, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Read(field, U.Seconds));

    [Theory]
    [InlineData("3", 3)]
    [InlineData("1500", 1_500)]
    [InlineData("0.4", 1)] // a positive number asked for a limit: at least a millisecond, never "none"
    public void Milliseconds_reads_every_number_as_milliseconds(string field, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Read(field, U.Milliseconds));

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("soon")]
    public void No_positive_number_is_no_timeout_as_gearmands_atoi_reads_it(string field)
    {
        foreach (var unit in new[] { U.Auto, U.Seconds, U.Milliseconds }) Assert.Equal(TimeSpan.Zero, Read(field, unit));
    }

    [Fact]
    public void Text_after_the_number_is_ignored_as_atoi_does() => Assert.Equal(TimeSpan.FromSeconds(5), Read("5s", U.Auto));

    [Theory]
    [InlineData("86400", U.Seconds)]
    [InlineData("999999999999", U.Milliseconds)]
    [InlineData("100000", U.Seconds)]
    [InlineData("99999999999999999999999999", U.Auto)]
    public void A_huge_number_is_held_to_a_day(string field, U unit) => Assert.Equal(GearmanCanDoTimeout.Longest, Read(field, unit));

    [Theory]
    [InlineData("auto", U.Auto)]
    [InlineData("Seconds", U.Seconds)]
    [InlineData(" MILLISECONDS ", U.Milliseconds)]
    public void The_setting_names_a_unit_in_any_case(string text, U expected)
    {
        Assert.True(GearmanCanDoTimeout.TryParseUnit(text, out var unit));
        Assert.Equal(expected, unit);
    }

    [Theory]
    [InlineData("ms")]
    [InlineData("")]
    [InlineData(null)]
    public void Other_words_are_not_a_unit(string? text) => Assert.False(GearmanCanDoTimeout.TryParseUnit(text, out _));
}
