using Gantry.Core.Engine;
using Gantry.Testing;
using Xunit;

namespace Gantry.Core.Tests.Engine;

/// <summary>JobSignals: who is woken by JobsAvailable, JobsFinished, JobScheduled and EverythingMayHaveChanged.</summary>
public sealed class JobSignalsTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private readonly JobSignals _signals = new();

    [Fact]
    public void JobsAvailable_WakesEveryWaiterOfThatQueue()
    {
        var first = _signals.NextJobsAvailable("emails");
        var second = _signals.NextJobsAvailable("emails");

        _signals.JobsAvailable("emails");

        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(second.IsCompletedSuccessfully);
    }

    [Fact]
    public void JobsAvailable_ForAnotherQueue_WakesNobodyHere()
    {
        var emails = _signals.NextJobsAvailable("emails");

        _signals.JobsAvailable("reports");
        _signals.JobsAvailable("Emails"); // queue names are case-sensitive

        Assert.False(emails.IsCompleted);
    }

    [Fact]
    public void JobsAvailable_ForAQueueNobodyWaitsOn_IsNotRememberedForLaterWaiters()
    {
        _signals.JobsAvailable("emails");

        Assert.False(_signals.NextJobsAvailable("emails").IsCompleted);
    }

    [Fact]
    public void NextJobsAvailable_TakenAfterASignal_WaitsForTheNextOne()
    {
        var before = _signals.NextJobsAvailable("emails");
        _signals.JobsAvailable("emails");
        var after = _signals.NextJobsAvailable("emails");

        Assert.True(before.IsCompleted);
        Assert.False(after.IsCompleted);
    }

    [Fact]
    public void JobsFinished_NamingTheId_CompletesItsWait()
    {
        using var wait = _signals.WaitFinished(7);
        Assert.False(wait.Finished.IsCompleted);

        _signals.JobsFinished([5, 7, 9]);

        Assert.True(wait.Finished.IsCompletedSuccessfully);
    }

    [Fact]
    public void JobsFinished_OtherIds_LeaveTheWaitPending()
    {
        using var wait = _signals.WaitFinished(7);

        _signals.JobsFinished([6, 8]);
        _signals.JobsFinished([]);

        Assert.False(wait.Finished.IsCompleted);
    }

    [Fact]
    public void JobsFinished_BeforeAnyoneWaits_IsNotRemembered()
    {
        // Callers register first and then read the job, so a finish before registration is seen in the job itself.
        _signals.JobsFinished([7]);
        using var wait = _signals.WaitFinished(7);

        Assert.False(wait.Finished.IsCompleted);
    }

    [Fact]
    public void WaitFinished_SeveralWaitersOnOneId_AllComplete()
    {
        using var a = _signals.WaitFinished(7);
        using var b = _signals.WaitFinished(7);
        using var c = _signals.WaitFinished(7);

        _signals.JobsFinished([7]);

        Assert.All([a, b, c], w => Assert.True(w.Finished.IsCompletedSuccessfully));
    }

    [Fact]
    public void WaitFinished_WhileAnotherWaiterRemains_SharesItsEntry()
    {
        var a = _signals.WaitFinished(7);
        using var b = _signals.WaitFinished(7);
        a.Dispose();

        using var c = _signals.WaitFinished(7);

        Assert.Same(b.Finished, c.Finished);
    }

    [Fact]
    public void WaitFinished_AfterEveryWaiterDisposed_StartsAFreshEntry()
    {
        var a = _signals.WaitFinished(7);
        var b = _signals.WaitFinished(7);
        a.Dispose();
        b.Dispose();

        using var c = _signals.WaitFinished(7);

        Assert.NotSame(a.Finished, c.Finished);
        _signals.JobsFinished([7]);
        Assert.True(c.Finished.IsCompletedSuccessfully);
        Assert.False(a.Finished.IsCompleted); // the abandoned entry is gone, not woken
    }

    [Fact]
    public void Dispose_Twice_LeavesOnlyOnce()
    {
        var a = _signals.WaitFinished(7);
        using var b = _signals.WaitFinished(7);
        a.Dispose();
        a.Dispose();

        using var c = _signals.WaitFinished(7);

        Assert.Same(b.Finished, c.Finished);
    }

    [Fact]
    public void DisposingAnOldWait_DoesNotRemoveANewerRegistrationForTheSameId()
    {
        var old = _signals.WaitFinished(7);
        _signals.EverythingMayHaveChanged(); // completes and drops the old entry
        using var fresh = _signals.WaitFinished(7);
        old.Dispose();

        _signals.JobsFinished([7]);

        Assert.True(fresh.Finished.IsCompletedSuccessfully);
    }

    [Fact]
    public void JobsFinished_AfterWaitsWereWokenAndDisposed_StillReachesNewWaiters()
    {
        var a = _signals.WaitFinished(1);
        _signals.JobsFinished([1]);
        a.Dispose();
        var b = _signals.WaitFinished(2);
        _signals.EverythingMayHaveChanged();
        b.Dispose();

        using var c = _signals.WaitFinished(3);
        _signals.JobsFinished([3]);

        Assert.True(c.Finished.IsCompletedSuccessfully);
    }

    [Fact]
    public void JobScheduled_EarlierThanThePlannedWake_WakesTheScheduler()
    {
        var changed = _signals.NextScheduleChange(T.AddMinutes(10));

        _signals.JobScheduled(T.AddMinutes(9));

        Assert.True(changed.IsCompletedSuccessfully);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(11)]
    public void JobScheduled_AtOrAfterThePlannedWake_LetsTheSchedulerSleep(int minutes)
    {
        var changed = _signals.NextScheduleChange(T.AddMinutes(10));

        _signals.JobScheduled(T.AddMinutes(minutes));

        Assert.False(changed.IsCompleted);
    }

    [Fact]
    public void NextScheduleChange_ReplannedEarlier_ComparesWithTheNewPlan()
    {
        _ = _signals.NextScheduleChange(T.AddMinutes(10));
        var changed = _signals.NextScheduleChange(T.AddMinutes(5));

        _signals.JobScheduled(T.AddMinutes(7));
        Assert.False(changed.IsCompleted);

        _signals.JobScheduled(T.AddMinutes(4));
        Assert.True(changed.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task JobScheduled_WakesASleepingSchedulerWithoutTheClockMoving()
    {
        // The scheduler's wait: the earlier of a schedule change and its planned wake on the injected clock.
        var clock = new ManualTimeProvider(T);
        var changed = _signals.NextScheduleChange(T.AddMinutes(10));
        var sleep = Task.Delay(TimeSpan.FromMinutes(10), clock);
        var woken = Task.WhenAny(changed, sleep);

        _signals.JobScheduled(T.AddMinutes(1));

        Assert.Same(changed, await woken.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(T, clock.GetUtcNow());
        Assert.False(sleep.IsCompleted);
    }

    [Fact]
    public async Task NextScheduleChange_WithNoEarlierJob_SleepsUntilThePlannedWake()
    {
        var clock = new ManualTimeProvider(T);
        var changed = _signals.NextScheduleChange(T.AddMinutes(10));
        var sleep = Task.Delay(TimeSpan.FromMinutes(10), clock);
        var woken = Task.WhenAny(changed, sleep);

        _signals.JobScheduled(T.AddMinutes(20));
        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.False(woken.IsCompleted);

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Same(sleep, await woken.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(changed.IsCompleted);
    }

    [Fact]
    public void EverythingMayHaveChanged_WakesQueueScheduleAndFinishWaiters()
    {
        var emails = _signals.NextJobsAvailable("emails");
        var reports = _signals.NextJobsAvailable("reports");
        var schedule = _signals.NextScheduleChange(T.AddHours(1));
        using var one = _signals.WaitFinished(1);
        using var two = _signals.WaitFinished(2);

        _signals.EverythingMayHaveChanged();

        Assert.All([emails, reports, schedule, one.Finished, two.Finished], t => Assert.True(t.IsCompletedSuccessfully));
    }

    [Fact]
    public void EverythingMayHaveChanged_LeavesLaterWaitsPending()
    {
        using var before = _signals.WaitFinished(1);
        _signals.EverythingMayHaveChanged();

        using var after = _signals.WaitFinished(1);

        Assert.False(after.Finished.IsCompleted);
        Assert.False(_signals.NextJobsAvailable("emails").IsCompleted);
    }
}
