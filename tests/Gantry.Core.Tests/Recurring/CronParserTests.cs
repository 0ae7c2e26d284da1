using Gantry.Core;
using Gantry.Core.Recurring;
using Gantry.Cron;
using Xunit;

namespace Gantry.Core.Tests.Recurring;

/// <summary>The expression forms Gantry promises (ICronParser's contract), time zones, and what clock changes do.</summary>
public sealed class CronParserTests
{
    private static readonly QuartzCronParser Parser = new();

    private static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text + "Z", System.Globalization.CultureInfo.InvariantCulture);

    private static List<DateTimeOffset> Ticks(string cron, string zone, string fromUtc, int count) =>
        Parser.Parse(cron, zone).Upcoming(Utc(fromUtc), count).ToList();

    [Fact]
    public void Five_fields_are_crontab_minutes_with_sunday_as_0_or_7()
    {
        // 2026-03-27 is a Friday. "1" is Monday in crontab (it would be Sunday in Quartz's own numbering).
        Assert.Equal([Utc("2026-03-30T09:00:00")], Ticks("0 9 * * 1", "UTC", "2026-03-27T00:00:00", 1));
        Assert.Equal([Utc("2026-03-29T09:00:00")], Ticks("0 9 * * 0", "UTC", "2026-03-27T00:00:00", 1));
        Assert.Equal([Utc("2026-03-29T09:00:00")], Ticks("0 9 * * 7", "UTC", "2026-03-27T00:00:00", 1));
        Assert.Equal([Utc("2026-03-27T00:15:00"), Utc("2026-03-27T00:30:00")], Ticks("*/15 * * * *", "UTC", "2026-03-27T00:00:00", 2));
    }

    [Fact]
    public void Six_fields_put_seconds_first_and_a_seventh_is_the_year()
    {
        Assert.Equal([Utc("2026-03-27T00:00:05"), Utc("2026-03-27T00:00:10")], Ticks("*/5 * * * * *", "UTC", "2026-03-27T00:00:00", 2));
        Assert.Equal([Utc("2027-01-01T00:00:30")], Ticks("30 0 0 1 1 ? 2027", "UTC", "2026-03-27T00:00:00", 5));
    }

    [Theory]
    [InlineData("@hourly", "2026-03-27T01:00:00")]
    [InlineData("@daily", "2026-03-28T00:00:00")]
    [InlineData("@midnight", "2026-03-28T00:00:00")]
    [InlineData("@weekly", "2026-03-29T00:00:00")]
    [InlineData("@monthly", "2026-04-01T00:00:00")]
    [InlineData("@yearly", "2027-01-01T00:00:00")]
    [InlineData("@annually", "2027-01-01T00:00:00")]
    public void Macros_stand_for_their_crontab_expressions(string macro, string next) =>
        Assert.Equal([Utc(next)], Ticks(macro, "UTC", "2026-03-27T00:30:00", 1));

    [Fact]
    public void A_time_zone_moves_the_ticks_with_its_clock()
    {
        // 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer (clocks went forward on 2026-03-29).
        Assert.Equal([Utc("2026-03-27T08:00:00"), Utc("2026-03-28T08:00:00"), Utc("2026-03-29T07:00:00"), Utc("2026-03-30T07:00:00")],
            Ticks("0 9 * * *", "Europe/Berlin", "2026-03-27T00:00:00", 4));
    }

    [Fact]
    public void A_time_the_spring_forward_gap_skips_fires_once_when_the_clocks_jump()
    {
        // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT, so 02:30 does not exist that day; it fires at 03:00 EDT (07:00 UTC).
        Assert.Equal(
            [Utc("2026-03-07T07:30:00"), Utc("2026-03-08T07:00:00"), Utc("2026-03-09T06:30:00")],
            Ticks("30 2 * * *", "America/New_York", "2026-03-07T00:00:00", 3));
    }

    [Fact]
    public void A_time_the_fall_back_repeats_fires_once()
    {
        // New York, 2026-11-01: 02:00 EDT becomes 01:00 EST, so 01:30 happens twice; a daily 01:30 fires at the first only.
        Assert.Equal(
            [Utc("2026-10-31T05:30:00"), Utc("2026-11-01T05:30:00"), Utc("2026-11-02T06:30:00")],
            Ticks("30 1 * * *", "America/New_York", "2026-10-31T00:00:00", 3));
    }

    [Fact]
    public void An_hourly_expression_fires_in_both_copies_of_a_repeated_hour()
    {
        Assert.Equal(
            [Utc("2026-11-01T05:00:00"), Utc("2026-11-01T06:00:00"), Utc("2026-11-01T07:00:00")],
            Ticks("0 * * * *", "America/New_York", "2026-11-01T04:30:00", 3));
    }

    [Theory]
    [InlineData("", "fields")]
    [InlineData("* * * *", "has 4 fields")]
    [InlineData("* * * * * * * *", "has 8 fields")]
    [InlineData("61 * * * *", "not a valid cron expression")]
    [InlineData("0 0 25 * * *", "not a valid cron expression")]
    [InlineData("@fortnightly", "not a known macro")]
    [InlineData("a b c d e", "not a valid cron expression")]
    public void Bad_expressions_are_refused_naming_the_cron_field(string cron, string message)
    {
        var ex = Assert.Throws<GantryException>(() => Parser.Parse(cron, "UTC"));
        Assert.Equal("cron", ex.Field);
        Assert.Equal(GantryErrorKind.Invalid, ex.Kind);
        Assert.Contains(message, ex.Message);
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("")]
    [InlineData("../../etc/passwd")]
    public void Unknown_time_zones_are_refused_naming_the_time_zone_field(string zone)
    {
        var ex = Assert.Throws<GantryException>(() => Parser.Parse("0 * * * *", zone));
        Assert.Equal("time_zone", ex.Field);
    }

    [Fact]
    public void An_expression_with_no_tick_left_has_no_next_time() =>
        Assert.Null(Parser.Parse("0 0 0 1 1 ? 2020", "UTC").NextAfter(Utc("2026-01-01T00:00:00")));
}
