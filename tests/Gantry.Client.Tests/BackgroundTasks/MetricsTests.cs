using Gantry.Client.BackgroundTasks;
using Gantry.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Gantry.Client.BackgroundTasks.BackgroundTaskMetricNames;

namespace Gantry.Client.Tests.BackgroundTasks;

/// <summary>The meter, read with a MeterListener scoped to the test's host. Values of durations are never asserted
/// (timing is not the point); that they are recorded, in milliseconds, once per task, is.</summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task TheMeter_ReportsDepth_Counters_AndDurations()
    {
        await using var app = await TestApp.StartAsync(o => (o.Capacity, o.Consumers, o.FullMode) = (2, 1, BackgroundTaskFullMode.Reject));
        var queue = app.Queue;
        var (aStarted, releaseA) = (Signals.New(), Signals.New());
        await queue.EnqueueAsync("A", async (_, ct) =>
        {
            aStarted.TrySetResult();
            await releaseA.Task.WaitAsync(ct);
        });
        await aStarted.Task.OrTimeout("A to start");
        Assert.Equal(0, app.Metrics.ObserveDepth());

        await queue.EnqueueAsync("B", (_, _) => ValueTask.CompletedTask);
        await queue.EnqueueAsync("C", (_, _) => throw new InvalidOperationException("C fails"));
        await Assert.ThrowsAsync<BackgroundTaskQueueFullException>(() => queue.EnqueueAsync("D", (_, _) => ValueTask.CompletedTask).AsTask().OrTimeout("D's enqueue to fail"));
        Assert.Equal(2, app.Metrics.ObserveDepth());

        releaseA.SetResult();
        await app.Metrics.WaitForTotalAsync(Completed, 2);
        await app.Metrics.WaitForTotalAsync(Failed, 1);

        Assert.Equal(0, app.Metrics.ObserveDepth());
        Assert.Equal(3, app.Metrics.Total(Enqueued));
        Assert.Equal(2, app.Metrics.Total(Completed));
        Assert.Equal(1, app.Metrics.Total(Failed));
        Assert.Equal(typeof(InvalidOperationException).FullName, Assert.Single(app.Metrics.Of(Failed)).Tags[ErrorTypeTag]);
        var rejected = Assert.Single(app.Metrics.Of(Rejected));
        Assert.Equal(RejectReasonFull, rejected.Tags[RejectReasonTag]);
        foreach (var histogram in new[] { WaitDuration, RunDuration })
        {
            var recorded = app.Metrics.Of(histogram);
            Assert.Equal(3, recorded.Count);
            Assert.All(recorded, m => Assert.True(m.Value >= 0, $"{histogram} recorded a negative duration"));
            Assert.Equal("ms", app.Metrics.Instrument(histogram).Unit);
        }
        foreach (var counter in new[] { Enqueued, Completed, Failed, Rejected, WaitDuration, RunDuration })
            Assert.All(app.Metrics.Of(counter), m => Assert.Equal(BackgroundTaskOptions.DefaultQueueName, m.Tags[QueueTag]));
        Assert.Equal("{task}", app.Metrics.Instrument(QueueDepth).Unit);
    }

    [Fact]
    public async Task Depth_IsReportedPerQueue()
    {
        await using var app = await TestApp.StartWithServicesAsync(s => s
            .AddGantryBackgroundTasks(o => o.Consumers = 1)
            .AddGantryBackgroundTasks("reports", o => o.Consumers = 1));
        var reports = app.Host.Services.GetRequiredKeyedService<IBackgroundTaskQueue>("reports");
        var (started, release) = (Signals.New(), Signals.New());
        await reports.EnqueueAsync("hold", async (_, ct) =>
        {
            started.TrySetResult();
            await release.Task.WaitAsync(ct);
        });
        await started.Task.OrTimeout("the held task to start");
        await reports.EnqueueAsync("queued", (_, _) => ValueTask.CompletedTask);

        Assert.Equal(1, app.Metrics.ObserveDepth("reports"));
        Assert.Equal(0, app.Metrics.ObserveDepth(BackgroundTaskOptions.DefaultQueueName));
        release.SetResult();
    }
}
