using Gantry.Core.Options;
using Xunit;

namespace Gantry.Core.Tests.Options;

/// <summary>GantryEngineOptions.Validate: the defaults pass, and every bad setting is reported under its configuration key.</summary>
public sealed class GantryEngineOptionsTests
{
    public static TheoryData<string, Action<GantryEngineOptions>> OutOfRange => new()
    {
        { "Gantry:Limits:MaxPayloadBytes", o => o.Limits.MaxPayloadBytes = 0 },
        { "Gantry:Limits:MaxPayloadBytes", o => o.Limits.MaxPayloadBytes = 256 * 1024 * 1024 + 1 },
        { "Gantry:Limits:MaxResultBytes", o => o.Limits.MaxResultBytes = -1 },
        { "Gantry:Limits:MaxResultBytes", o => o.Limits.MaxResultBytes = int.MaxValue },
        { "Gantry:Limits:MaxUniqueKeyLength", o => o.Limits.MaxUniqueKeyLength = 0 },
        { "Gantry:Limits:MaxUniqueKeyLength", o => o.Limits.MaxUniqueKeyLength = 4097 },
        { "Gantry:Limits:MaxBatchSize", o => o.Limits.MaxBatchSize = 0 },
        { "Gantry:Limits:MaxBatchSize", o => o.Limits.MaxBatchSize = 100_001 },
        { "Gantry:Limits:MaxFetchSize", o => o.Limits.MaxFetchSize = 0 },
        { "Gantry:Limits:MaxFetchSize", o => o.Limits.MaxFetchSize = 100_001 },
        { "Gantry:Limits:MaxWait", o => o.Limits.MaxWait = TimeSpan.FromTicks(-1) },
        { "Gantry:Limits:MaxWait", o => o.Limits.MaxWait = TimeSpan.FromHours(1) + TimeSpan.FromTicks(1) },
        { "Gantry:Limits:MaxErrorHistory", o => o.Limits.MaxErrorHistory = 0 },
        { "Gantry:Limits:MaxErrorHistory", o => o.Limits.MaxErrorHistory = 1001 },
        { "Gantry:Limits:MaxErrorTextLength", o => o.Limits.MaxErrorTextLength = 15 },
        { "Gantry:Limits:MaxErrorTextLength", o => o.Limits.MaxErrorTextLength = 1024 * 1024 + 1 },
        { "Gantry:Limits:MaxTimeout", o => o.Limits.MaxTimeout = TimeSpan.FromDays(31) },
        { "Gantry:Jobs:MaxAttempts", o => o.Jobs.MaxAttempts = 0 },
        { "Gantry:Jobs:MaxAttempts", o => o.Jobs.MaxAttempts = JobLimits.DefaultMaxAttemptsCeiling + 1 },
        { "Gantry:Jobs:Timeout", o => o.Jobs.Timeout = TimeSpan.FromMilliseconds(999) },
        { "Gantry:Jobs:Timeout", o => o.Jobs.Timeout = JobLimits.DefaultMaxTimeout + TimeSpan.FromSeconds(1) },
        { "Gantry:Retry:BaseDelay", o => { o.Retry.BaseDelay = TimeSpan.FromDays(1) + TimeSpan.FromTicks(1); o.Retry.MaxDelay = TimeSpan.FromDays(2); } },
        { "Gantry:Retry:BaseDelay", o => o.Retry.BaseDelay = TimeSpan.FromTicks(-1) },
        { "Gantry:Retry:MaxDelay", o => o.Retry.MaxDelay = TimeSpan.FromSeconds(1) },   // below the 2 s base delay
        { "Gantry:Retry:MaxDelay", o => o.Retry.MaxDelay = TimeSpan.FromDays(31) },
        { "Gantry:Retry:Jitter", o => o.Retry.Jitter = -0.01 },
        { "Gantry:Retry:Jitter", o => o.Retry.Jitter = 1.01 },
        { "Gantry:Retry:Jitter", o => o.Retry.Jitter = double.NaN },
        { "Gantry:Retention:Succeeded", o => o.Retention.Succeeded = TimeSpan.FromTicks(-1) },
        { "Gantry:Retention:Cancelled", o => o.Retention.Cancelled = TimeSpan.FromDays(3651) },
        { "Gantry:Retention:Dead", o => o.Retention.Dead = TimeSpan.FromSeconds(-1) },
        { "Gantry:Retention:PruneInterval", o => o.Retention.PruneInterval = TimeSpan.FromMilliseconds(999) },
        { "Gantry:Retention:PruneInterval", o => o.Retention.PruneInterval = TimeSpan.FromDays(2) },
        { "Gantry:Retention:PruneBatchSize", o => o.Retention.PruneBatchSize = 0 },
        { "Gantry:Retention:PruneBatchSize", o => o.Retention.PruneBatchSize = 1_000_001 },
        { "Gantry:Timings:LeaseCheckInterval", o => o.Timings.LeaseCheckInterval = TimeSpan.FromMilliseconds(9) },
        { "Gantry:Timings:LeaseCheckInterval", o => o.Timings.LeaseCheckInterval = TimeSpan.FromHours(2) },
        { "Gantry:Timings:FallbackPollInterval", o => o.Timings.FallbackPollInterval = TimeSpan.Zero },
        { "Gantry:Timings:SchedulerMaxSleep", o => o.Timings.SchedulerMaxSleep = TimeSpan.FromHours(1) + TimeSpan.FromTicks(1) },
    };

    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(new GantryEngineOptions().Validate());

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Validate_OneSettingOutOfRange_GivesOneMessageNamingItsKey(string key, Action<GantryEngineOptions> spoil)
    {
        var options = new GantryEngineOptions();
        spoil(options);

        var message = Assert.Single(options.Validate());
        Assert.StartsWith(key + " must be between ", message);
    }

    [Fact]
    public void Validate_Message_GivesTheRangeAndTheBadValue() =>
        Assert.Equal("Gantry:Limits:MaxPayloadBytes must be between 1 and 268435456 (got 0).",
            Assert.Single(new GantryEngineOptions { Limits = { MaxPayloadBytes = 0 } }.Validate()));

    [Fact]
    public void Validate_MaxAttemptsCeilingBelowOne_IsReportedUnderItsKey()
    {
        // The ceiling also bounds Jobs:MaxAttempts, so both keys are named; the ceiling's own key must be among them.
        var errors = new GantryEngineOptions { Limits = { MaxAttemptsCeiling = 0 } }.Validate();
        Assert.Contains(errors, e => e.StartsWith("Gantry:Limits:MaxAttemptsCeiling must be between ", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SettingsAtTheirBounds_AreValid()
    {
        var options = new GantryEngineOptions
        {
            Limits = { MaxPayloadBytes = 256 * 1024 * 1024, MaxResultBytes = 0, MaxUniqueKeyLength = 1, MaxWait = TimeSpan.Zero, MaxErrorTextLength = 16 },
            Jobs = { MaxAttempts = 1, Timeout = TimeSpan.FromSeconds(1) },
            Retry = { BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero, Jitter = 1 },
            Retention = { Succeeded = TimeSpan.Zero, PruneInterval = TimeSpan.FromSeconds(1), PruneBatchSize = 1 },
            Timings = { LeaseCheckInterval = TimeSpan.FromMilliseconds(10), SchedulerMaxSleep = TimeSpan.FromHours(1) },
        };

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void Validate_JobDefaultsAreCheckedAgainstTheConfiguredLimits()
    {
        var options = new GantryEngineOptions
        {
            Limits = { MaxAttemptsCeiling = 10, MaxTimeout = TimeSpan.FromMinutes(5) },
            Jobs = { MaxAttempts = 11, Timeout = TimeSpan.FromMinutes(6) },
        };

        var errors = options.Validate();
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Gantry:Jobs:MaxAttempts must be between 1 and 10 ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Gantry:Jobs:Timeout must be between ", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SeveralProblems_AreAllReported()
    {
        var options = new GantryEngineOptions
        {
            Limits = { MaxBatchSize = 0 },
            Retry = { Jitter = 2 },
            Timings = { LeaseCheckInterval = TimeSpan.Zero },
        };

        var errors = options.Validate();
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.StartsWith("Gantry:Limits:MaxBatchSize ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Gantry:Retry:Jitter ", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Gantry:Timings:LeaseCheckInterval ", StringComparison.Ordinal));
    }
}
