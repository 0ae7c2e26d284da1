using Gantry.Client.BackgroundTasks;
using Gantry.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gantry.Client.Tests.BackgroundTasks;

/// <summary>How tasks run: N at once, each in its own scope, and a failure costs only its own task.</summary>
public sealed class ConsumerTests
{
    [Fact]
    public async Task NConsumers_RunNTasksAtOnce_AndNoMore()
    {
        const int consumers = 3;
        await using var app = await TestApp.StartAsync(o => (o.Consumers, o.Capacity) = (consumers, 10));
        var queue = app.Queue;
        var arrived = 0;
        var allArrived = Signals.New();
        var release = Signals.New();
        var finished = 0;
        var allFinished = Signals.New();
        var lastStarted = Signals.New();

        for (var i = 0; i < consumers + 1; i++)
        {
            var index = i;
            await queue.EnqueueAsync($"task {i}", async (_, ct) =>
            {
                if (index == consumers) lastStarted.TrySetResult();
                // An async barrier: it opens only when N tasks are inside at the same moment.
                if (Interlocked.Increment(ref arrived) == consumers) allArrived.TrySetResult();
                await release.Task.WaitAsync(ct);
                if (Interlocked.Increment(ref finished) == consumers + 1) allFinished.TrySetResult();
            });
        }

        await allArrived.Task.OrTimeout($"{consumers} tasks to be running at once");
        // Every consumer is held inside a task, so the fourth cannot have started: the pool really is N.
        Assert.False(lastStarted.Task.IsCompleted, "more tasks ran at once than there are consumers");
        Assert.Equal(1, queue.Count);

        release.SetResult();
        await lastStarted.Task.OrTimeout("the fourth task to start once a consumer was free");
        await allFinished.Task.OrTimeout("all tasks to finish");
    }

    [Fact]
    public async Task AThrowingTask_IsLoggedWithItsName_AndTheNextTaskStillRuns()
    {
        await using var app = await TestApp.StartAsync(o => o.Consumers = 1);
        var queue = app.Queue;
        var nextRan = Signals.New();

        await queue.EnqueueAsync("explodes at once", (_, _) => throw new InvalidOperationException("boom, synchronously"));
        await queue.EnqueueAsync("explodes later", async (_, _) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("boom, asynchronously");
        });
        await queue.EnqueueAsync("next", (_, _) =>
        {
            nextRan.TrySetResult();
            return ValueTask.CompletedTask;
        });

        // One consumer: "next" running proves the failures did not kill it.
        await nextRan.Task.OrTimeout("the task after the failing ones to run");
        foreach (var (name, message) in new[] { ("explodes at once", "boom, synchronously"), ("explodes later", "boom, asynchronously") })
        {
            var entry = await app.Logs.WaitForAsync(e => e.Level == LogLevel.Error && Equals(e.Properties.GetValueOrDefault("TaskName"), name), $"{name} logged");
            Assert.Equal(BackgroundTaskServiceCollectionExtensions.LogCategory, entry.Category);
            Assert.Contains(name, entry.Message);
            Assert.Equal(message, entry.Exception?.Message);
        }
    }

    [Fact]
    public async Task AnUnnamedFailingTask_IsLoggedAsUnnamed()
    {
        await using var app = await TestApp.StartAsync(o => o.Consumers = 1);
        await app.Queue.EnqueueAsync((_, _) => throw new InvalidOperationException("nameless"));

        var entry = await app.Logs.WaitForAsync(e => e.Level == LogLevel.Error, "the failure logged");
        Assert.Contains("(unnamed)", entry.Message);
        Assert.Equal("nameless", entry.Exception?.Message);
    }

    [Fact]
    public async Task EachTask_GetsItsOwnScope_DisposedAfterTheTask_EvenWhenItFails()
    {
        await using var app = await TestApp.StartAsync(o => (o.Consumers, o.Capacity) = (1, 10), services: s => s.AddScoped<ScopedProbe>());
        var queue = app.Queue;
        var seen = new List<ScopedProbe>();
        var checkedInside = Signals.New<bool>();

        await queue.EnqueueAsync("first", (services, _) =>
        {
            var probe = services.GetRequiredService<ScopedProbe>();
            seen.Add(probe);
            // Within one task the scope hands out one instance, and it is alive while the task runs.
            checkedInside.TrySetResult(ReferenceEquals(probe, services.GetRequiredService<ScopedProbe>()) && !probe.Disposed.Task.IsCompleted);
            return ValueTask.CompletedTask;
        });
        await queue.EnqueueAsync("second", (services, _) =>
        {
            seen.Add(services.GetRequiredService<ScopedProbe>());
            throw new InvalidOperationException("fails with a scoped service in hand");
        });

        Assert.True(await checkedInside.Task.OrTimeout("the first task's checks"));
        await app.Logs.WaitForAsync(e => e.Level == LogLevel.Error, "the second task's failure");
        Assert.Equal(2, seen.Count);
        Assert.NotSame(seen[0], seen[1]);
        await seen[0].Disposed.Task.OrTimeout("the first task's scoped service to be disposed");
        await seen[1].Disposed.Task.OrTimeout("the failed task's scoped service to be disposed");
    }

    private sealed class ScopedProbe : IDisposable
    {
        public TaskCompletionSource Disposed { get; } = Signals.New();

        public void Dispose() => Disposed.TrySetResult();
    }
}
