using Gantry.Core.Engine;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Hosting;

/// <summary>
/// When the application begins to stop (SIGTERM, Ctrl-C, <c>StopApplication</c>), before the HTTP server waits for
/// in-flight requests: says so, and has the engine answer every long-polling fetch and wait at once, so a server with
/// workers connected stops in moments instead of the host's whole shutdown timeout.
/// </summary>
internal sealed class EngineStopService(IHostApplicationLifetime lifetime, JobEngine engine,
    Gantry.Core.Topics.TopicEngine topics, Gantry.Core.Topics.TopicHub hub, ILogger<EngineStopService> log) : IHostedService
{
    private CancellationTokenRegistration _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registration = lifetime.ApplicationStopping.Register(() =>
        {
            log.LogInformation("Gantry is stopping: open fetches and waits are answered now, live subscribers told where to resume; in-flight requests are finished");
            Stop();
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration.Dispose();
        Stop(); // also when the host is stopped without its lifetime's signal (a test host disposed)
        return Task.CompletedTask;
    }

    private void Stop()
    {
        engine.Stop();
        topics.Stop();
        hub.Stop();
    }
}
