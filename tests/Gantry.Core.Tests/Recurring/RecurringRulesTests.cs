using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Gantry.Core.Recurring;
using Gantry.Cron;
using Xunit;

namespace Gantry.Core.Tests.Recurring;

/// <summary>A schedule is validated whole when it is saved, as the job it will enqueue, so a saved schedule always fires.</summary>
public sealed class RecurringRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly RecurringRules _rules = new(new QuartzCronParser(), new EnqueueRules(new JobLimits { MaxPayloadBytes = 16 }, new JobDefaults()));

    private static RecurringRequest Request(string name = "nightly", string cron = "0 3 * * *", string queue = "reports", string? zone = null,
        int payloadBytes = 2, TimeSpan? timeout = null) =>
        new() { Name = name, Cron = cron, Queue = queue, TimeZone = zone, Payload = new byte[payloadBytes], Timeout = timeout };

    [Fact]
    public void Defaults_are_utc_and_fire_once()
    {
        var (definition, cron) = _rules.Apply(Request(), Now);

        Assert.Equal(RecurringRules.DefaultTimeZone, definition.TimeZone);
        Assert.Equal(MisfirePolicy.FireOnce, definition.Misfire);
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 3, 0, 0, TimeSpan.Zero), cron.NextAfter(Now));
    }

    [Theory]
    [InlineData("", "name")]
    [InlineData("has space", "name")]
    [InlineData("ok", "queue", "bad queue!")]
    [InlineData("ok", "payload", "reports", 17)]
    [InlineData("ok", "timeout", "reports", 2, 0.5)]
    public void Each_bad_field_is_named(string name, string field, string queue = "reports", int payloadBytes = 2, double timeoutSeconds = 30)
    {
        var ex = Assert.Throws<GantryException>(() =>
            _rules.Apply(Request(name, queue: queue, payloadBytes: payloadBytes, timeout: TimeSpan.FromSeconds(timeoutSeconds)), Now));
        Assert.Equal(field, ex.Field);
    }

    [Fact]
    public void Oversized_expressions_and_zone_ids_are_refused_before_parsing()
    {
        var cron = Assert.Throws<GantryException>(() => _rules.Apply(Request(cron: "* * * * * " + new string('*', 300)), Now));
        // Too long is a bad field (400 over HTTP), not a body over the size limit (413).
        Assert.Equal(("cron", GantryErrorKind.Invalid), (cron.Field, cron.Kind));
        var zone = Assert.Throws<GantryException>(() => _rules.Apply(Request(zone: new string('Z', 65)), Now));
        Assert.Equal(("time_zone", GantryErrorKind.Invalid), (zone.Field, zone.Kind));
        Assert.Contains("at most 64 characters", zone.Message);
    }

    [Fact]
    public void An_expression_that_never_fires_again_is_refused()
    {
        var ex = Assert.Throws<GantryException>(() => _rules.Apply(Request(cron: "0 0 0 1 1 ? 2025"), Now));
        Assert.Equal("cron", ex.Field);
        Assert.Contains("never run", ex.Message);
    }

    [Fact]
    public void A_ticks_job_is_due_at_the_tick_so_its_delay_counts_from_it()
    {
        var (definition, _) = _rules.Apply(Request(), Now);
        var tick = Now - TimeSpan.FromSeconds(3);

        var job = _rules.JobFor(definition, tick, Now);

        Assert.Equal(tick, job.RunAt);
        Assert.Equal(Now, job.CreatedAt);
        Assert.Equal(JobState.Available, job.InitialState);
        Assert.Equal("reports", job.Queue);
    }

    [Theory]
    [InlineData("skip", MisfirePolicy.Skip)]
    [InlineData("fire_once", MisfirePolicy.FireOnce)]
    [InlineData("Fire-Once", MisfirePolicy.FireOnce)]
    [InlineData(null, null)]
    public void Misfire_policies_are_read_from_text(string? text, MisfirePolicy? expected) =>
        Assert.Equal(expected, RecurringSchedules.ParseMisfire(text));

    [Fact]
    public void An_unknown_misfire_policy_is_refused() =>
        Assert.Equal("misfire", Assert.Throws<GantryException>(() => RecurringSchedules.ParseMisfire("later")).Field);
}
