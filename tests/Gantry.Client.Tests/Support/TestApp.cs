using System.Diagnostics.Metrics;
using Gantry.Client.BackgroundTasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Client.Tests.Support;

/// <summary>
/// A real Generic Host (Host.CreateApplicationBuilder) with the background task queue registered, every log entry
/// captured and the queue's meter listened to. Scope validation is on, as in Development, so a scoped service resolved
/// from the root would fail the test.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private bool _stopped;

    private TestApp(IHost host, LogSink logs, MetricsRecorder metrics) => (Host, Logs, Metrics) = (host, logs, metrics);

    public IHost Host { get; }
    public LogSink Logs { get; }
    public MetricsRecorder Metrics { get; }
    public IBackgroundTaskQueue Queue => Host.Services.GetRequiredService<IBackgroundTaskQueue>();

    public static IHost Build(Action<IServiceCollection> register, LogSink logs, TimeProvider? time = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.ConfigureContainer(new DefaultServiceProviderFactory(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        if (time is not null) builder.Services.AddSingleton(time);
        register(builder.Services);
        return builder.Build();
    }

    public static Task<TestApp> StartAsync(Action<BackgroundTaskOptions> configure, TimeProvider? time = null, Action<IServiceCollection>? services = null) =>
        StartWithServicesAsync(s =>
        {
            s.AddGantryBackgroundTasks(configure);
            services?.Invoke(s);
        }, time);

    public static async Task<TestApp> StartWithServicesAsync(Action<IServiceCollection> register, TimeProvider? time = null)
    {
        var logs = new LogSink();
        var host = Build(register, logs, time);
        var metrics = new MetricsRecorder(host.Services.GetRequiredService<IMeterFactory>());
        await host.StartAsync();
        return new TestApp(host, logs, metrics);
    }

    public async Task StopAsync()
    {
        _stopped = true;
        await Host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped) await Host.StopAsync();
        Host.Dispose();
        Metrics.Dispose();
    }
}
