using Gantry.Core;
using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Xunit;

namespace Gantry.Core.Tests.Jobs;

/// <summary>EnqueueRules: how a request becomes a NewJob (defaults, run_at/delay) and every reason it is refused.</summary>
public sealed class EnqueueRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    // Deliberately not the built-in defaults, so a test can tell a configured default from a hard-coded one.
    private static readonly JobDefaults Defaults = new() { MaxAttempts = 7, Timeout = TimeSpan.FromSeconds(90), Priority = 3 };

    private static readonly JobLimits Limits = new()
    {
        MaxPayloadBytes = 16, MaxUniqueKeyLength = 8, MaxAttemptsCeiling = 50, MaxTimeout = TimeSpan.FromHours(2),
    };

    private static readonly EnqueueRules Rules = new(Limits, Defaults);

    private static NewJob Apply(EnqueueRequest request) => Rules.Apply(request, Now);

    private static GantryException Refused(EnqueueRequest request, string field = "") =>
        Assert.Throws<GantryException>(() => Rules.Apply(request, Now, field));

    private static void AssertInvalid(GantryException error, string field, string messagePart)
    {
        Assert.Equal(GantryErrorKind.Invalid, error.Kind);
        Assert.Equal(field, error.Field);
        Assert.StartsWith(field + ": ", error.Message);
        Assert.Contains(messagePart, error.Message);
    }

    [Fact]
    public void Apply_OptionsLeftOut_TakesMaxAttemptsTimeoutAndPriorityFromJobDefaults()
    {
        var job = Apply(new EnqueueRequest { Queue = "emails" });

        Assert.Equal(7, job.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(90), job.Timeout);
        Assert.Equal(3, job.Priority);
        Assert.Null(job.UniqueKey);
        Assert.False(job.WatchFinish);
    }

    [Fact]
    public void Apply_OptionsGiven_OverrideTheDefaultsAndCarryPayloadKeyAndWatchFinish()
    {
        var job = Apply(new EnqueueRequest
        {
            Queue = "emails", Payload = "{\"to\":1}"u8.ToArray(), UniqueKey = "k-1", Priority = -5,
            MaxAttempts = 50, Timeout = TimeSpan.FromHours(2), WatchFinish = true,
        });

        Assert.Equal("emails", job.Queue);
        Assert.Equal("{\"to\":1}"u8.ToArray(), job.Payload.ToArray());
        Assert.Equal("k-1", job.UniqueKey);
        Assert.Equal(-5, job.Priority);
        Assert.Equal(50, job.MaxAttempts);
        Assert.Equal(TimeSpan.FromHours(2), job.Timeout);
        Assert.True(job.WatchFinish);
    }

    [Fact]
    public void Apply_NeitherRunAtNorDelay_RunsNowAndStartsAvailable()
    {
        var job = Apply(new EnqueueRequest { Queue = "q" });

        Assert.Equal(Now, job.CreatedAt);
        Assert.Equal(Now, job.RunAt);
        Assert.Equal(JobState.Available, job.InitialState);
    }

    [Fact]
    public void Apply_Delay_RunsAtNowPlusDelayAndStartsScheduled()
    {
        var job = Apply(new EnqueueRequest { Queue = "q", Delay = TimeSpan.FromMinutes(5) });

        Assert.Equal(Now.AddMinutes(5), job.RunAt);
        Assert.Equal(Now, job.CreatedAt);
        Assert.Equal(JobState.Scheduled, job.InitialState);
    }

    [Fact]
    public void Apply_ZeroDelay_StartsAvailable()
    {
        var job = Apply(new EnqueueRequest { Queue = "q", Delay = TimeSpan.Zero });

        Assert.Equal(Now, job.RunAt);
        Assert.Equal(JobState.Available, job.InitialState);
    }

    [Fact]
    public void Apply_RunAtInTheFuture_KeepsRunAtAndStartsScheduled()
    {
        var at = Now.AddHours(3);
        var job = Apply(new EnqueueRequest { Queue = "q", RunAt = at });

        Assert.Equal(at, job.RunAt);
        Assert.Equal(JobState.Scheduled, job.InitialState);
    }

    [Fact]
    public void Apply_RunAtInThePast_RunsNowAndStartsAvailable()
    {
        var job = Apply(new EnqueueRequest { Queue = "q", RunAt = Now.AddDays(-2) });

        Assert.Equal(Now, job.RunAt);
        Assert.Equal(JobState.Available, job.InitialState);
    }

    [Fact]
    public void Apply_ScheduleExactlyMaxScheduleAheadAway_IsAccepted()
    {
        Assert.Equal(Now + EnqueueRules.MaxScheduleAhead,
            Apply(new EnqueueRequest { Queue = "q", Delay = EnqueueRules.MaxScheduleAhead }).RunAt);
        Assert.Equal(Now + EnqueueRules.MaxScheduleAhead,
            Apply(new EnqueueRequest { Queue = "q", RunAt = Now + EnqueueRules.MaxScheduleAhead }).RunAt);
    }

    [Fact]
    public void Apply_RunAtAndDelayTogether_IsRefusedNamingRunAt()
    {
        var error = Refused(new EnqueueRequest { Queue = "q", RunAt = Now.AddMinutes(1), Delay = TimeSpan.FromMinutes(1) });
        AssertInvalid(error, "run_at", "either run_at or delay");
    }

    [Fact]
    public void Apply_NegativeDelay_IsRefusedNamingDelay()
    {
        var error = Refused(new EnqueueRequest { Queue = "q", Delay = TimeSpan.FromTicks(-1) });
        AssertInvalid(error, "delay", "between 0 and 315360000 seconds (3650 days)");
    }

    [Fact]
    public void Apply_DelayBeyondMaxScheduleAhead_IsRefusedNamingDelay()
    {
        var error = Refused(new EnqueueRequest { Queue = "q", Delay = EnqueueRules.MaxScheduleAhead + TimeSpan.FromTicks(1) });
        AssertInvalid(error, "delay", "3650 days");
    }

    [Fact]
    public void Apply_RunAtBeyondMaxScheduleAhead_IsRefusedNamingRunAt()
    {
        var error = Refused(new EnqueueRequest { Queue = "q", RunAt = Now + EnqueueRules.MaxScheduleAhead + TimeSpan.FromSeconds(1) });
        AssertInvalid(error, "run_at", "3650 days");
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    public void Apply_InvalidQueueName_IsRefusedNamingQueue(string queue)
    {
        var error = Refused(new EnqueueRequest { Queue = queue });
        Assert.Equal(GantryErrorKind.Invalid, error.Kind);
        Assert.Equal("queue", error.Field);
    }

    [Fact]
    public void Apply_PayloadOverTheLimit_IsTooLargeNamingPayloadAndSizes()
    {
        var error = Refused(new EnqueueRequest { Queue = "q", Payload = new byte[17] });

        Assert.Equal(GantryErrorKind.TooLarge, error.Kind);
        Assert.Equal("payload", error.Field);
        Assert.Contains("17 bytes", error.Message);
        Assert.Contains("limit is 16", error.Message);
        Assert.Contains("Gantry:Limits:MaxPayloadBytes", error.Message);
    }

    [Fact]
    public void Apply_PayloadExactlyAtTheLimit_IsAccepted() =>
        Assert.Equal(16, Apply(new EnqueueRequest { Queue = "q", Payload = new byte[16] }).Payload.Length);

    [Fact]
    public void Apply_EmptyUniqueKey_IsRefusedNamingUniqueKey()
    {
        var error = Refused(new EnqueueRequest { Queue = "q", UniqueKey = "" });
        AssertInvalid(error, "unique_key", "empty unique key");
    }

    [Fact]
    public void Apply_UniqueKeyOverTheLimit_IsInvalidNamingUniqueKey()
    {
        var error = Refused(new EnqueueRequest { Queue = "q", UniqueKey = "123456789" });

        // A field that is too long is a bad request (400), not a body that is too large (413).
        Assert.Equal(GantryErrorKind.Invalid, error.Kind);
        Assert.Equal("unique_key", error.Field);
        Assert.Contains("at most 8 characters (got 9)", error.Message);
    }

    [Fact]
    public void Apply_UniqueKeyExactlyAtTheLimit_IsAccepted() =>
        Assert.Equal("12345678", Apply(new EnqueueRequest { Queue = "q", UniqueKey = "12345678" }).UniqueKey);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(51)]
    public void Apply_MaxAttemptsOutsideOneToCeiling_IsRefusedNamingMaxAttempts(int maxAttempts)
    {
        var error = Refused(new EnqueueRequest { Queue = "q", MaxAttempts = maxAttempts });
        AssertInvalid(error, "max_attempts", $"between 1 and 50 (got {maxAttempts})");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(50)]
    public void Apply_MaxAttemptsAtEitherBound_IsAccepted(int maxAttempts) =>
        Assert.Equal(maxAttempts, Apply(new EnqueueRequest { Queue = "q", MaxAttempts = maxAttempts }).MaxAttempts);

    [Theory]
    [InlineData(999)]           // under one second
    [InlineData(0)]
    [InlineData(7_200_001)]     // a millisecond over MaxTimeout (2 h)
    public void Apply_TimeoutOutsideOneSecondToMaxTimeout_IsRefusedNamingTimeout(long milliseconds)
    {
        var error = Refused(new EnqueueRequest { Queue = "q", Timeout = TimeSpan.FromMilliseconds(milliseconds) });
        AssertInvalid(error, "timeout", "between 1 and 7200 seconds (2 hours, Gantry:Limits:MaxTimeout)");
        Assert.DoesNotContain("02:00:00", error.Message);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(7_200_000)]
    public void Apply_TimeoutAtEitherBound_IsAccepted(long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds),
            Apply(new EnqueueRequest { Queue = "q", Timeout = TimeSpan.FromMilliseconds(milliseconds) }).Timeout);

    public static TheoryData<string, EnqueueRequest> BadBatchElements => new()
    {
        { "jobs[3].queue", new EnqueueRequest { Queue = "bad name" } },
        { "jobs[3].payload", new EnqueueRequest { Queue = "q", Payload = new byte[17] } },
        { "jobs[3].unique_key", new EnqueueRequest { Queue = "q", UniqueKey = "" } },
        { "jobs[3].run_at", new EnqueueRequest { Queue = "q", RunAt = Now, Delay = TimeSpan.Zero } },
        { "jobs[3].delay", new EnqueueRequest { Queue = "q", Delay = TimeSpan.FromSeconds(-1) } },
        { "jobs[3].max_attempts", new EnqueueRequest { Queue = "q", MaxAttempts = 0 } },
        { "jobs[3].timeout", new EnqueueRequest { Queue = "q", Timeout = TimeSpan.Zero } },
    };

    [Theory]
    [MemberData(nameof(BadBatchElements))]
    public void Apply_WithBatchFieldPrefix_NamesTheElementInFieldAndMessage(string field, EnqueueRequest request)
    {
        var error = Refused(request, "jobs[3]");

        Assert.Equal(field, error.Field);
        Assert.StartsWith(field + ": ", error.Message);
    }

    [Fact]
    public void Apply_InvalidDefaultMaxAttempts_IsStillRefusedRatherThanStored()
    {
        var rules = new EnqueueRules(Limits, new JobDefaults { MaxAttempts = 0 });
        var error = Assert.Throws<GantryException>(() => rules.Apply(new EnqueueRequest { Queue = "q" }, Now));
        Assert.Equal("max_attempts", error.Field);
    }
}
