using Gantry.Core.Recurring;
using Microsoft.Extensions.Hosting;

namespace Gantry.Hosting;

/// <summary>Writes the configuration file's recurring schedules to the store once it is open, before the server takes
/// requests; an invalid schedule stops the start with a message naming its key.</summary>
internal sealed class RecurringConfigurationService(RecurringSchedules schedules) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => schedules.SyncConfigurationAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
