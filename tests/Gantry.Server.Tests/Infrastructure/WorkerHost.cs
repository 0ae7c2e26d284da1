using Gantry.Client;
using Gantry.Client.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>
/// A worker process as an application would build one: a Generic Host with <c>AddGantryWorker</c> pointed at a
/// server, handlers registered per queue, and whatever test state the handlers share registered as singletons.
/// </summary>
public sealed class WorkerHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    private WorkerHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    /// <param name="server">The server the worker fetches from.</param>
    /// <param name="handlers">Registers handlers: <c>w => w.AddHandler&lt;H&gt;("queue", 4)</c>.</param>
    /// <param name="shared">Singletons the handlers take in their constructors (probes, gates).</param>
    /// <param name="configure">Worker options beyond the server address (grace period, fetch wait).</param>
    /// <param name="logs">Where the worker's log goes; nowhere when null.</param>
    public static async Task<WorkerHost> StartAsync(Uri server, Action<GantryWorkerBuilder> handlers, object[]? shared = null,
        Action<GantryWorkerOptions>? configure = null, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        if (logs is not null) builder.Logging.AddProvider(logs);
        // The host's own shutdown limit stays above any grace period a test sets, so the worker's drain decides.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        foreach (var s in shared ?? []) builder.Services.AddSingleton(s.GetType(), s);
        handlers(builder.Services.AddGantryWorker(o =>
        {
            o.Client = new GantryClientOptions { ServerUrl = server };
            o.FetchWait = TimeSpan.FromSeconds(10);
            o.RetryDelay = TimeSpan.FromMilliseconds(100);
            configure?.Invoke(o);
        }));
        var host = builder.Build();
        await host.StartAsync();
        return new WorkerHost(host);
    }

    /// <summary>Stops the host the way Ctrl-C would: stop fetching, drain within the grace period, report, exit.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _host.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
