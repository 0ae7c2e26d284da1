using Gantry.Client.BackgroundTasks;
using Gantry.Client.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace Gantry.Client.Tests.BackgroundTasks;

/// <summary>Registration, named queues, defaults, and the check of options at start.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void Options_StartFromTheirNamedDefaults()
    {
        var options = new BackgroundTaskOptions();
        Assert.Equal(BackgroundTaskOptions.DefaultCapacity, options.Capacity);
        Assert.Equal(BackgroundTaskOptions.DefaultConsumers, options.Consumers);
        Assert.Equal(BackgroundTaskOptions.DefaultFullMode, options.FullMode);
        Assert.Equal(BackgroundTaskOptions.DefaultShutdownGracePeriod, options.ShutdownGracePeriod);
    }

    [Fact]
    public async Task BadOptions_StopTheHostAtStart_WithAMessageNamingEachKey()
    {
        using var host = TestApp.Build(s => s.AddGantryBackgroundTasks(o => (o.Capacity, o.Consumers) = (0, -1)), new LogSink());

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("queue 'default'", error.Message);
        Assert.Contains("BackgroundTaskOptions.Capacity must be at least 1 (was 0)", error.Message);
        Assert.Contains("BackgroundTaskOptions.Consumers must be at least 1 (was -1)", error.Message);
        Assert.Contains("AddGantryBackgroundTasks(o => …)", error.Message);
    }

    [Fact]
    public async Task BadOptions_OfANamedQueue_NameThatQueue()
    {
        using var host = TestApp.Build(s => s
            .AddGantryBackgroundTasks()
            .AddGantryBackgroundTasks("reports", o => (o.ShutdownGracePeriod, o.FullMode) = (TimeSpan.FromSeconds(-1), (BackgroundTaskFullMode)7)), new LogSink());

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("queue 'reports'", error.Message);
        Assert.Contains("BackgroundTaskOptions.ShutdownGracePeriod cannot be negative", error.Message);
        Assert.Contains("BackgroundTaskOptions.FullMode must be Wait or Reject (was 7)", error.Message);
        Assert.Contains("AddGantryBackgroundTasks(\"reports\", o => …)", error.Message);
        Assert.DoesNotContain("'default'", error.Message);
    }

    [Fact]
    public async Task AGracePeriodLongerThanATimerCanWait_IsRejectedAtStart()
    {
        using var host = TestApp.Build(s => s.AddGantryBackgroundTasks(o => o.ShutdownGracePeriod = TimeSpan.MaxValue), new LogSink());

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("BackgroundTaskOptions.ShutdownGracePeriod must be at most", error.Message);
    }

    [Fact]
    public async Task NamedQueues_AreKeyedServices_EachWithItsOwnConsumers()
    {
        await using var app = await TestApp.StartWithServicesAsync(s => s
            .AddGantryBackgroundTasks(o => o.Capacity = 5)
            .AddGantryBackgroundTasks("reports", o => o.Capacity = 7));
        var services = app.Host.Services;
        var byDefault = services.GetRequiredService<IBackgroundTaskQueue>();
        var reports = services.GetRequiredKeyedService<IBackgroundTaskQueue>("reports");

        Assert.Same(byDefault, services.GetRequiredKeyedService<IBackgroundTaskQueue>(BackgroundTaskOptions.DefaultQueueName));
        Assert.Equal((BackgroundTaskOptions.DefaultQueueName, 5), (byDefault.Name, byDefault.Capacity));
        Assert.Equal(("reports", 7), (reports.Name, reports.Capacity));

        // A task held in one queue does not hold up the other: each has its own consumers.
        var (held, release, reportRan) = (Signals.New(), Signals.New(), Signals.New());
        await byDefault.EnqueueAsync(async (_, ct) =>
        {
            held.TrySetResult();
            await release.Task.WaitAsync(ct);
        });
        await held.Task.OrTimeout("the default queue's task to start");
        await reports.EnqueueAsync((_, _) =>
        {
            reportRan.TrySetResult();
            return ValueTask.CompletedTask;
        });
        await reportRan.Task.OrTimeout("the reports queue's task to run while the default queue is busy");
        release.SetResult();
    }

    [Fact]
    public void RegisteringAQueueTwice_AddsConfiguration_NotASecondProcessor()
    {
        var services = new ServiceCollection().AddLogging()
            .AddGantryBackgroundTasks(o => o.Capacity = 5)
            .AddGantryBackgroundTasks(o => o.Consumers = 3);
        using var provider = services.BuildServiceProvider();

        Assert.Single(provider.GetServices<IHostedService>());
        var options = provider.GetRequiredService<IOptions<BackgroundTaskOptions>>().Value;
        Assert.Equal((5, 3), (options.Capacity, options.Consumers));
    }

    [Fact]
    public void AQueueName_IsRequired() =>
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddGantryBackgroundTasks(" ", null));
}
