using Gantry.Core.Recurring;
using Gantry.Cron;
using Xunit;

namespace Gantry.Core.Tests.Recurring;

/// <summary>What happens to a due tick: on time, a little late, or missed under each misfire policy.</summary>
public sealed class RecurringPlannerTests
{
    private static readonly DateTimeOffset Tick = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Threshold = TimeSpan.FromSeconds(60);
    private static readonly CronSchedule Hourly = new QuartzCronParser().Parse("0 * * * *", "UTC");

    private static RecurringSchedule Due(MisfirePolicy misfire) =>
        new(new RecurringDefinition("s", "0 * * * *", "UTC", "q", ReadOnlyMemory<byte>.Empty, null, null, null, misfire, false),
            RecurringSource.Api, false, Tick, null, null, Tick, Tick);

    [Theory]
    [InlineData(MisfirePolicy.Skip)]
    [InlineData(MisfirePolicy.FireOnce)]
    public void An_on_time_tick_fires_and_the_next_is_the_following_tick(MisfirePolicy policy)
    {
        var step = RecurringPlanner.Plan(Due(policy), Hourly, Tick, Threshold);

        Assert.True(step.Fire);
        Assert.False(step.Misfired);
        Assert.Equal(Tick, step.Tick);
        Assert.Equal(Tick.AddHours(1), step.NextFireAt);
    }

    [Fact]
    public void A_tick_late_by_no_more_than_the_threshold_still_fires_as_itself()
    {
        var step = RecurringPlanner.Plan(Due(MisfirePolicy.Skip), Hourly, Tick + Threshold, Threshold);

        Assert.True(step.Fire);
        Assert.False(step.Misfired);
        Assert.Equal(Tick.AddHours(1), step.NextFireAt);
    }

    [Fact]
    public void Missed_ticks_under_skip_fire_nothing_and_go_on_from_the_next_tick_after_now()
    {
        var now = Tick.AddHours(3).AddMinutes(10);
        var step = RecurringPlanner.Plan(Due(MisfirePolicy.Skip), Hourly, now, Threshold);

        Assert.False(step.Fire);
        Assert.True(step.Misfired);
        Assert.Equal(4, step.MissedTicks); // 12:00, 13:00, 14:00, 15:00
        Assert.Equal(Tick.AddHours(4), step.NextFireAt);
    }

    [Fact]
    public void Missed_ticks_under_fire_once_fire_one_job_and_go_on_from_the_next_tick_after_now()
    {
        var now = Tick.AddHours(3).AddMinutes(10);
        var step = RecurringPlanner.Plan(Due(MisfirePolicy.FireOnce), Hourly, now, Threshold);

        Assert.True(step.Fire);
        Assert.True(step.Misfired);
        Assert.Equal(Tick, step.Tick);
        Assert.Equal(Tick.AddHours(4), step.NextFireAt);
    }

    [Fact]
    public void Counting_missed_ticks_stops_at_the_cap()
    {
        var everySecond = new QuartzCronParser().Parse("* * * * * *", "UTC");
        var step = RecurringPlanner.Plan(Due(MisfirePolicy.Skip), everySecond, Tick.AddDays(7), Threshold);

        Assert.Equal(RecurringPlanner.MaxMissedTicksCounted, step.MissedTicks);
        Assert.Equal(Tick.AddDays(7).AddSeconds(1), step.NextFireAt);
    }
}
