using Gantry.Client.BackgroundTasks;
using Gantry.Client.Tests.Support;
using Xunit;

namespace Gantry.Client.Tests.BackgroundTasks;

/// <summary>The bound and the full-queue policy. One consumer is held inside a task on a gate, so "the queue is full"
/// is a fact the test arranged, not a race it hopes to win.</summary>
public sealed class CapacityTests
{
    private static Func<IServiceProvider, CancellationToken, ValueTask> Mark(TaskCompletionSource ran) =>
        (_, _) =>
        {
            ran.TrySetResult();
            return ValueTask.CompletedTask;
        };

    private static Func<IServiceProvider, CancellationToken, ValueTask> Hold(TaskCompletionSource started, TaskCompletionSource release) =>
        async (_, ct) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
        };

    [Fact]
    public async Task Wait_AProducerWaitsForRoomUntilAConsumerFreesIt()
    {
        await using var app = await TestApp.StartAsync(o => (o.Capacity, o.Consumers, o.FullMode) = (1, 1, BackgroundTaskFullMode.Wait));
        var queue = app.Queue;
        var (aStarted, releaseA, bRan, cRan) = (Signals.New(), Signals.New(), Signals.New(), Signals.New());

        await queue.EnqueueAsync("A", Hold(aStarted, releaseA));
        await aStarted.Task.OrTimeout("A to start");
        await queue.EnqueueAsync("B", Mark(bRan));
        Assert.Equal(1, queue.Count);

        var enqueueC = queue.EnqueueAsync("C", Mark(cRan)).AsTask();
        // The only consumer is inside A and B fills the only slot: nothing can make room until A is released.
        Assert.False(enqueueC.IsCompleted, "EnqueueAsync into a full queue returned before any room was made");

        releaseA.SetResult();
        await enqueueC.OrTimeout("C to be accepted once A finished and B left the queue");
        await bRan.Task.OrTimeout("B to run");
        await cRan.Task.OrTimeout("C to run");
    }

    [Fact]
    public async Task Wait_AProducerGivesUpWhenItsTokenFires_AndItsTaskNeverRuns()
    {
        await using var app = await TestApp.StartAsync(o => (o.Capacity, o.Consumers) = (1, 1));
        var queue = app.Queue;
        var (aStarted, releaseA, bRan, dRan, eRan) = (Signals.New(), Signals.New(), Signals.New(), Signals.New(), Signals.New());
        await queue.EnqueueAsync("A", Hold(aStarted, releaseA));
        await aStarted.Task.OrTimeout("A to start");
        await queue.EnqueueAsync("B", Mark(bRan));

        using var giveUp = new CancellationTokenSource();
        var enqueueD = queue.EnqueueAsync("D", Mark(dRan), giveUp.Token).AsTask();
        Assert.False(enqueueD.IsCompleted);
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => enqueueD.OrTimeout("D's enqueue to give up"));

        releaseA.SetResult();
        await queue.EnqueueAsync("E", Mark(eRan));
        // One consumer, first in first out: had D been queued, it would have run before E.
        await eRan.Task.OrTimeout("E to run");
        Assert.True(bRan.Task.IsCompleted);
        Assert.False(dRan.Task.IsCompleted, "a task whose enqueue was cancelled ran anyway");
    }

    [Fact]
    public async Task Reject_ThrowsAnExceptionThatNamesTheCapacityAndTheOptionToChange()
    {
        await using var app = await TestApp.StartAsync(o => (o.Capacity, o.Consumers, o.FullMode) = (2, 1, BackgroundTaskFullMode.Reject));
        var queue = app.Queue;
        var (aStarted, releaseA, bRan, cRan, dRan) = (Signals.New(), Signals.New(), Signals.New(), Signals.New(), Signals.New());
        await queue.EnqueueAsync("A", Hold(aStarted, releaseA));
        await aStarted.Task.OrTimeout("A to start");
        await queue.EnqueueAsync("B", Mark(bRan));
        await queue.EnqueueAsync("C", Mark(cRan));

        var full = await Assert.ThrowsAsync<BackgroundTaskQueueFullException>(() => queue.EnqueueAsync("D", Mark(dRan)).AsTask().OrTimeout("D's enqueue to fail"));

        Assert.Equal(2, full.Capacity);
        Assert.Equal(BackgroundTaskOptions.DefaultQueueName, full.QueueName);
        Assert.Contains("'default' is full", full.Message);
        Assert.Contains("Capacity = 2", full.Message);
        Assert.Contains("FullMode", full.Message);
        Assert.Contains("Wait", full.Message);
        releaseA.SetResult();
        await Task.WhenAll(bRan.Task, cRan.Task).OrTimeout("B and C to run");
        Assert.False(dRan.Task.IsCompleted);
    }

    [Fact]
    public async Task TryEnqueue_ReturnsFalseWhenFull_WithoutWaiting_EvenInWaitMode()
    {
        await using var app = await TestApp.StartAsync(o => (o.Capacity, o.Consumers, o.FullMode) = (1, 1, BackgroundTaskFullMode.Wait));
        var queue = app.Queue;
        var (aStarted, releaseA, bRan, cRan) = (Signals.New(), Signals.New(), Signals.New(), Signals.New());
        Assert.True(queue.TryEnqueue("A", Hold(aStarted, releaseA)));
        await aStarted.Task.OrTimeout("A to start");

        Assert.True(queue.TryEnqueue("B", Mark(bRan)));
        Assert.False(queue.TryEnqueue("C", Mark(cRan)));

        releaseA.SetResult();
        await bRan.Task.OrTimeout("B to run");
        Assert.False(cRan.Task.IsCompleted);
    }
}
