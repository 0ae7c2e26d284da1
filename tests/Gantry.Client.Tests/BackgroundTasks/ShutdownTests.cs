using Gantry.Client.BackgroundTasks;
using Gantry.Client.Tests.Support;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gantry.Client.Tests.BackgroundTasks;

/// <summary>
/// Graceful drain. The grace period runs on a manual clock that only the test moves, so "within the grace period" and
/// "after it" are steps the test takes, never races against a real timer.
/// </summary>
public sealed class ShutdownTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private static Func<IServiceProvider, CancellationToken, ValueTask> Mark(TaskCompletionSource<bool> ran) =>
        (_, ct) =>
        {
            ran.TrySetResult(ct.IsCancellationRequested);
            return ValueTask.CompletedTask;
        };

    private static Task StoppedAccepting(TestApp app) =>
        app.Logs.WaitForAsync(e => e.Message.Contains("stopped accepting tasks"), "the queue to stop accepting");

    /// <summary>A task that waits for <paramref name="release"/> whatever its token says, then reports whether the token
    /// had fired: during a drain within the grace period it must not have.</summary>
    private static Func<IServiceProvider, CancellationToken, ValueTask> HoldIgnoringToken(TaskCompletionSource started, TaskCompletionSource release,
        TaskCompletionSource<bool> tokenFired) =>
        async (_, ct) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(Signals.Limit);
            tokenFired.TrySetResult(ct.IsCancellationRequested);
        };

    [Fact]
    public async Task Stop_RunsEverythingQueued_WhenItFinishesWithinTheGracePeriod()
    {
        var time = new ObservedTimeProvider();
        await using var app = await TestApp.StartAsync(o => (o.Consumers, o.ShutdownGracePeriod) = (1, Grace), time);
        var queue = app.Queue;
        var (aStarted, releaseA, aTokenFired) = (Signals.New(), Signals.New(), Signals.New<bool>());
        var (bStarted, releaseB, bTokenFired) = (Signals.New(), Signals.New(), Signals.New<bool>());
        var cTokenFired = Signals.New<bool>();
        await queue.EnqueueAsync("A", HoldIgnoringToken(aStarted, releaseA, aTokenFired));
        await aStarted.Task.OrTimeout("A to start");
        await queue.EnqueueAsync("B", HoldIgnoringToken(bStarted, releaseB, bTokenFired));
        await queue.EnqueueAsync("C", Mark(cTokenFired));

        var graceTimer = time.TimerCreated(Grace);
        var stopping = app.StopAsync();
        await StoppedAccepting(app);
        await graceTimer;
        releaseA.SetResult();
        // B starts after shutdown began: queued work is run, not dropped, while the grace period lasts.
        await bStarted.Task.OrTimeout("B to start during the drain");
        Assert.False(stopping.IsCompleted, "Stop returned while B was still running inside the grace period");
        releaseB.SetResult();
        await stopping.OrTimeout("the host to stop once the queue drained");

        // The clock never moved: the grace period did not end, the queue simply ran dry, and no task saw its token fire.
        Assert.False(await aTokenFired.Task.OrTimeout("A to end"), "A's token fired although the grace period had not ended");
        Assert.False(await bTokenFired.Task.OrTimeout("B to end"), "B's token fired although the grace period had not ended");
        Assert.False(await cTokenFired.Task.OrTimeout("C to run"), "C ran with its token already cancelled");
        Assert.Contains(app.Logs.Entries, e => e.Message.Contains("drained"));
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Equal(0, app.Metrics.Total(BackgroundTaskMetricNames.Dropped));
    }

    [Fact]
    public async Task Stop_CancelsTheRunningTask_AndDropsTheQueuedOnes_WhenTheGracePeriodEnds()
    {
        var time = new ObservedTimeProvider();
        await using var app = await TestApp.StartAsync(o => (o.Consumers, o.ShutdownGracePeriod) = (1, Grace), time);
        var queue = app.Queue;
        var (aStarted, releaseA, cStarted) = (Signals.New(), Signals.New(), Signals.New());
        var cSawItsToken = Signals.New<bool>();
        var (bRan, dRan, eRan) = (Signals.New<bool>(), Signals.New<bool>(), Signals.New<bool>());
        await queue.EnqueueAsync("A", async (_, ct) =>
        {
            aStarted.TrySetResult();
            await releaseA.Task.WaitAsync(ct);
        });
        await aStarted.Task.OrTimeout("A to start");
        await queue.EnqueueAsync("B", Mark(bRan));
        await queue.EnqueueAsync("C (never ends by itself)", async (_, ct) =>
        {
            cStarted.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                cSawItsToken.TrySetResult(ct.IsCancellationRequested);
            }
        });
        await queue.EnqueueAsync("D", Mark(dRan));
        await queue.EnqueueAsync("E", Mark(eRan));

        var graceTimer = time.TimerCreated(Grace);
        var stopping = app.StopAsync();
        await graceTimer;
        releaseA.SetResult();
        await cStarted.Task.OrTimeout("C to start within the grace period");
        Assert.False(await bRan.Task.OrTimeout("B to run within the grace period"));
        Assert.False(stopping.IsCompleted, "Stop returned while C was still running inside the grace period");

        time.Advance(Grace);
        await stopping.OrTimeout("the host to stop after the grace period");

        Assert.True(await cSawItsToken.Task.OrTimeout("C to end"), "the running task's token did not fire when the grace period ended");
        Assert.False(dRan.Task.IsCompleted, "D started after the grace period ended");
        Assert.False(eRan.Task.IsCompleted, "E started after the grace period ended");
        var summary = Assert.Single(app.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("stopped with work left"));
        Assert.Equal(2, summary.Properties["Dropped"]);
        Assert.Equal(1, summary.Properties["Cancelled"]);
        Assert.Contains("dropped 2 queued tasks", summary.Message);
        Assert.Contains(app.Logs.Entries, e => e.Level == LogLevel.Warning && Equals(e.Properties.GetValueOrDefault("TaskName"), "C (never ends by itself)"));
        Assert.Equal(2, app.Metrics.Total(BackgroundTaskMetricNames.Dropped));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task EnqueueAfterShutdown_FailsWithAClearException_AndTryEnqueueSaysFalse()
    {
        await using var app = await TestApp.StartAsync(o => { });
        await app.StopAsync();

        var stopped = await Assert.ThrowsAsync<BackgroundTaskQueueStoppedException>(
            () => app.Queue.EnqueueAsync("too late", (_, _) => ValueTask.CompletedTask).AsTask());

        Assert.Equal(BackgroundTaskOptions.DefaultQueueName, stopped.QueueName);
        Assert.Contains("'default' no longer accepts tasks", stopped.Message);
        Assert.Contains("shutting down", stopped.Message);
        Assert.False(app.Queue.TryEnqueue((_, _) => ValueTask.CompletedTask));
        Assert.All(app.Metrics.Of(BackgroundTaskMetricNames.Rejected),
            m => Assert.Equal(BackgroundTaskMetricNames.RejectReasonStopped, m.Tags[BackgroundTaskMetricNames.RejectReasonTag]));
        Assert.Equal(2, app.Metrics.Total(BackgroundTaskMetricNames.Rejected));
    }

    [Fact]
    public async Task AProducerWaitingForRoom_WhenShutdownBegins_GetsTheStoppedException_AndQueuedWorkStillDrains()
    {
        var time = new ObservedTimeProvider();
        await using var app = await TestApp.StartAsync(o => (o.Capacity, o.Consumers, o.ShutdownGracePeriod) = (1, 1, Grace), time);
        var queue = app.Queue;
        var (aStarted, releaseA) = (Signals.New(), Signals.New());
        var (bRan, cRan) = (Signals.New<bool>(), Signals.New<bool>());
        await queue.EnqueueAsync("A", async (_, ct) =>
        {
            aStarted.TrySetResult();
            await releaseA.Task.WaitAsync(ct);
        });
        await aStarted.Task.OrTimeout("A to start");
        await queue.EnqueueAsync("B", Mark(bRan));
        var enqueueC = queue.EnqueueAsync("C", Mark(cRan)).AsTask();
        Assert.False(enqueueC.IsCompleted);

        var stopping = app.StopAsync();
        await Assert.ThrowsAsync<BackgroundTaskQueueStoppedException>(() => enqueueC.OrTimeout("the waiting producer to be told"));
        releaseA.SetResult();
        await stopping.OrTimeout("the host to stop");

        Assert.False(await bRan.Task.OrTimeout("B to run"));
        Assert.False(cRan.Task.IsCompleted);
    }
}
