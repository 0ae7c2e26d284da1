using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Xunit;

namespace Gantry.Core.Tests.Jobs;

/// <summary>FailureRules.Decide: every failure edge of the job state machine, and the error history it writes.</summary>
public sealed class FailureRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Earlier = Now.AddMinutes(-10);

    // No jitter, so retry times are exact: 2 s, 4 s, 8 s, …
    private static FailureRules Rules(int maxErrorHistory = JobLimits.DefaultMaxErrorHistory, int maxErrorTextLength = JobLimits.DefaultMaxErrorTextLength) =>
        new(new RetryPolicy(new RetryOptions { Jitter = 0 }),
            new JobLimits { MaxErrorHistory = maxErrorHistory, MaxErrorTextLength = maxErrorTextLength });

    private static FailingJob Running(int attempt = 1, int maxAttempts = 5, bool cancelRequested = false,
        DateTimeOffset? leaseExpiresAt = null, string? errorsJson = null) =>
        new(42, "emails", JobState.Running, attempt, maxAttempts, cancelRequested, leaseExpiresAt ?? Now.AddSeconds(-1), errorsJson);

    private static Failure Fail(FailureKind kind, int attempt = 1, string message = "boom", string? details = null) =>
        new(42, attempt, kind, message, details);

    private static FailureDecision Decide(FailingJob job, Failure failure, FailureRules? rules = null) =>
        (rules ?? Rules()).Decide(job, failure, Now) ?? throw new Xunit.Sdk.XunitException("expected a decision, got null");

    private static string History(params JobError[] errors) => ErrorHistory.Serialize(errors);

    [Theory]
    [InlineData(JobState.Scheduled)]
    [InlineData(JobState.Available)]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Dead)]
    [InlineData(JobState.Cancelled)]
    public void Decide_JobNotRunning_ChangesNothing(JobState state)
    {
        var job = Running() with { State = state };
        foreach (var kind in Enum.GetValues<FailureKind>())
            Assert.Null(Rules().Decide(job, Fail(kind), Now));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Decide_ReportForAnotherAttempt_IsStaleAndChangesNothing(int reportedAttempt)
    {
        foreach (var kind in Enum.GetValues<FailureKind>())
            Assert.Null(Rules().Decide(Running(attempt: 2), Fail(kind, reportedAttempt), Now));
    }

    [Fact]
    public void Decide_ErrorWithAttemptsLeft_FailsWithRetryAtNowPlusBackoff()
    {
        var decision = Decide(Running(attempt: 3, maxAttempts: 5), Fail(FailureKind.Error, 3));

        Assert.Equal(42, decision.Id);
        Assert.Equal(JobState.Failed, decision.State);
        Assert.Equal(Now.AddSeconds(8), decision.RunAt);
        Assert.Equal(3, decision.Attempt);
        Assert.Null(decision.FinishedAt);
        Assert.Single(ErrorHistory.Parse(decision.ErrorsJson));
    }

    [Fact]
    public void Decide_ErrorOnTheLastAttempt_GoesDeadAndFinishesNow()
    {
        var decision = Decide(Running(attempt: 5, maxAttempts: 5), Fail(FailureKind.Error, 5));

        Assert.Equal(JobState.Dead, decision.State);
        Assert.Null(decision.RunAt);
        Assert.Equal(5, decision.Attempt);
        Assert.Equal(Now, decision.FinishedAt);
        Assert.Equal(5, Assert.Single(ErrorHistory.Parse(decision.ErrorsJson)).Attempt);
    }

    [Fact]
    public void Decide_ErrorPastMaxAttempts_GoesDead() =>
        Assert.Equal(JobState.Dead, Decide(Running(attempt: 7, maxAttempts: 5), Fail(FailureKind.Error, 7)).State);

    [Fact]
    public void Decide_DiscardWithAttemptsLeft_GoesDeadAtOnce()
    {
        var decision = Decide(Running(attempt: 1, maxAttempts: 20), Fail(FailureKind.Discard));

        Assert.Equal(JobState.Dead, decision.State);
        Assert.Null(decision.RunAt);
        Assert.Equal(Now, decision.FinishedAt);
        Assert.Equal("boom", Assert.Single(ErrorHistory.Parse(decision.ErrorsJson)).Message);
    }

    [Fact]
    public void Decide_LeaseExpiredWithAttemptsLeft_IsAvailableAtOnceKeepingTheAttempt()
    {
        var decision = Decide(Running(attempt: 2, maxAttempts: 5), Fail(FailureKind.LeaseExpired, 2, "lease expired"));

        Assert.Equal(JobState.Available, decision.State);
        Assert.Equal(Now, decision.RunAt);
        Assert.Equal(2, decision.Attempt);
        Assert.Null(decision.FinishedAt);
        Assert.Equal("lease expired", Assert.Single(ErrorHistory.Parse(decision.ErrorsJson)).Message);
    }

    [Fact]
    public void Decide_LeaseExpiredOnTheLastAttempt_GoesDead()
    {
        var decision = Decide(Running(attempt: 5, maxAttempts: 5), Fail(FailureKind.LeaseExpired, 5));

        Assert.Equal(JobState.Dead, decision.State);
        Assert.Equal(Now, decision.FinishedAt);
    }

    [Fact]
    public void Decide_LeaseExpiredButAHeartbeatExtendedItPastNow_ChangesNothing()
    {
        var job = Running(leaseExpiresAt: Now.AddTicks(1));
        Assert.Null(Rules().Decide(job, Fail(FailureKind.LeaseExpired), Now));
        Assert.Null(Rules().Decide(job with { CancelRequested = true }, Fail(FailureKind.LeaseExpired), Now));
    }

    [Fact]
    public void Decide_LeaseExpiringExactlyNow_IsTakenBack() =>
        Assert.Equal(JobState.Available, Decide(Running(leaseExpiresAt: Now), Fail(FailureKind.LeaseExpired)).State);

    [Fact]
    public void Decide_ErrorWhileTheLeaseIsStillValid_IsNotHeldBackByTheLease() =>
        Assert.Equal(JobState.Failed, Decide(Running(leaseExpiresAt: Now.AddMinutes(1)), Fail(FailureKind.Error)).State);

    [Fact]
    public void Decide_Released_IsAvailableAtOnceInItsOldPlaceWithTheAttemptAndItsStartUndoneAndHistoryUntouched()
    {
        var history = History(new JobError(1, Earlier, "first"), new JobError(2, Earlier.AddMinutes(1), "second", "trace"));
        var decision = Decide(Running(attempt: 3, errorsJson: history), Fail(FailureKind.Released, 3, "shutting down"));

        Assert.Equal(JobState.Available, decision.State);
        Assert.Null(decision.RunAt); // run_at stays: the job takes back its place in line
        Assert.True(decision.ClearStartedAt);
        Assert.Equal(2, decision.Attempt);
        Assert.Null(decision.FinishedAt);
        Assert.Equal(history, decision.ErrorsJson);
    }

    [Fact]
    public void Decide_ReleasedWithoutHistory_WritesAnEmptyHistory() =>
        Assert.Equal("[]", Decide(Running(), Fail(FailureKind.Released)).ErrorsJson);

    [Fact]
    public void Decide_ReleasedOnTheLastAttempt_DoesNotCountAndStaysAlive()
    {
        var decision = Decide(Running(attempt: 5, maxAttempts: 5), Fail(FailureKind.Released, 5));

        Assert.Equal(JobState.Available, decision.State);
        Assert.Equal(4, decision.Attempt);
    }

    [Theory]
    [InlineData(FailureKind.Error)]
    [InlineData(FailureKind.Discard)]
    [InlineData(FailureKind.LeaseExpired)]
    [InlineData(FailureKind.Released)]
    public void Decide_AnyFailureOfAJobWhoseCancelWasRequested_Cancels(FailureKind kind)
    {
        var decision = Decide(Running(attempt: 2, maxAttempts: 5, cancelRequested: true), Fail(kind, 2, "stopped"));

        Assert.Equal(JobState.Cancelled, decision.State);
        Assert.Null(decision.RunAt);
        Assert.Equal(2, decision.Attempt);
        Assert.Equal(Now, decision.FinishedAt);
        Assert.Equal("stopped", Assert.Single(ErrorHistory.Parse(decision.ErrorsJson)).Message);
    }

    [Fact]
    public void Decide_CancelRequestedOnTheLastAttempt_CancelsRatherThanDies() =>
        Assert.Equal(JobState.Cancelled, Decide(Running(attempt: 5, maxAttempts: 5, cancelRequested: true), Fail(FailureKind.Error, 5)).State);

    [Fact]
    public void Decide_Failure_RecordsAttemptTimeMessageAndDetails()
    {
        var decision = Decide(Running(attempt: 2), Fail(FailureKind.Error, 2, "timeout calling smtp", "at Smtp.Send()"));

        Assert.Equal(new JobError(2, Now, "timeout calling smtp", "at Smtp.Send()"), Assert.Single(ErrorHistory.Parse(decision.ErrorsJson)));
    }

    [Fact]
    public void Decide_Failure_AppendsAfterTheExistingHistoryOldestFirst()
    {
        var history = History(new JobError(1, Earlier, "first"));
        var decision = Decide(Running(attempt: 2, errorsJson: history), Fail(FailureKind.Error, 2, "second"));

        Assert.Equal(["first", "second"], ErrorHistory.Parse(decision.ErrorsJson).Select(e => e.Message));
    }

    [Fact]
    public void Decide_HistoryAtItsLimit_DropsTheOldestEntry()
    {
        var history = History(new JobError(1, Earlier, "e1"), new JobError(2, Earlier, "e2"), new JobError(3, Earlier, "e3"));
        var decision = Decide(Running(attempt: 4, errorsJson: history), Fail(FailureKind.Error, 4, "e4"), Rules(maxErrorHistory: 3));

        Assert.Equal(["e2", "e3", "e4"], ErrorHistory.Parse(decision.ErrorsJson).Select(e => e.Message));
    }

    [Fact]
    public void Decide_HistoryLongerThanALoweredLimit_KeepsOnlyTheNewestEntries()
    {
        var history = History(Enumerable.Range(1, 6).Select(i => new JobError(i, Earlier, $"e{i}")).ToArray());
        var decision = Decide(Running(attempt: 7, maxAttempts: 10, errorsJson: history), Fail(FailureKind.Error, 7, "e7"), Rules(maxErrorHistory: 2));

        Assert.Equal(["e6", "e7"], ErrorHistory.Parse(decision.ErrorsJson).Select(e => e.Message));
    }

    [Fact]
    public void Decide_LongMessageAndDetails_AreCutToTheLimitWithAMarker()
    {
        var decision = Decide(Running(), Fail(FailureKind.Error, 1, new string('m', 100), new string('d', 100)), Rules(maxErrorTextLength: 16));
        var error = Assert.Single(ErrorHistory.Parse(decision.ErrorsJson));

        Assert.Equal(new string('m', 16) + "… [cut]", error.Message);
        Assert.Equal(new string('d', 16) + "… [cut]", error.Details);
    }

    [Fact]
    public void Decide_MessageExactlyAtTheLimit_IsKeptWhole()
    {
        var decision = Decide(Running(), Fail(FailureKind.Error, 1, new string('m', 16)), Rules(maxErrorTextLength: 16));

        Assert.Equal(new string('m', 16), Assert.Single(ErrorHistory.Parse(decision.ErrorsJson)).Message);
    }

    [Fact]
    public void Decide_CutFallingInsideASurrogatePair_KeepsTheTextValid()
    {
        // 15 letters, then an emoji (2 UTF-16 units) straddling the 16-unit limit.
        var decision = Decide(Running(), Fail(FailureKind.Error, 1, new string('m', 15) + "😀 and more"), Rules(maxErrorTextLength: 16));
        var message = Assert.Single(ErrorHistory.Parse(decision.ErrorsJson)).Message;

        Assert.DoesNotContain('\uFFFD', message);
        Assert.StartsWith(new string('m', 15), message);
        Assert.EndsWith("… [cut]", message);
    }
}
