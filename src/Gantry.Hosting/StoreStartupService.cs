using Gantry.Core;
using Gantry.Core.Engine;
using Gantry.Core.Options;
using Gantry.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Hosting;

/// <summary>
/// Opens and migrates the store before anything else starts (it is registered first, and hosted services start
/// in order, before the HTTP listener), reads the queues' settings and writes the configured lanes, then marks the
/// server ready.
/// </summary>
internal sealed class StoreStartupService(IStore store, JobEngine engine, IOptions<GantryEngineOptions> options, StoreHealth health,
    ILogger<StoreStartupService> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await store.StartAsync(cancellationToken).ConfigureAwait(false);
        await engine.LoadQueueSettingsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (name, queue) in options.Value.Queues)
        {
            if (queue.Lane is not { } lane || engine.Settings.LaneSetFor(name) == lane) continue;
            try
            {
                await engine.SetQueueLaneAsync(name, lane, cancellationToken).ConfigureAwait(false);
            }
            catch (GantryException ex) when (ex.Kind == GantryErrorKind.Conflict)
            {
                log.LogWarning("Gantry:Queues:{Queue}:Lane is '{Lane}', but the queue keeps its lane for now: {Reason}", name, lane, ex.Message);
            }
        }
        health.MarkOpen();
        log.LogInformation("Store {Store} is ready", store.Capabilities.Name);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
