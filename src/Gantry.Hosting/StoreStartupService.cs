using Gantry.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Hosting;

/// <summary>
/// Opens and migrates the store before anything else starts (it is registered first, and hosted services start
/// in order, before the HTTP listener), then marks the server ready.
/// </summary>
internal sealed class StoreStartupService(IStore store, StoreHealth health, ILogger<StoreStartupService> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
        health.MarkOpen();
        log.LogInformation("Store {Store} is ready", store.Capabilities.Name);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
