using Gantry.Core.Engine;
using Gantry.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Maintenance;

/// <summary>Deletes finished jobs once their retention has passed, and forgets the fetch loops of queues nobody fetches
/// from (on the same interval: both keep what clients leave behind from growing).</summary>
public sealed class PruneService(JobMaintenance maintenance, JobEngine engine, IOptions<GantryEngineOptions> options,
    TimeProvider time, ILogger<PruneService> log) : MaintenanceLoop(time, log)
{
    private readonly TimeSpan _interval = options.Value.Retention.PruneInterval;
    private readonly ILogger _log = log;

    protected override async Task<Task> RunOnceAsync(CancellationToken ct)
    {
        engine.ForgetIdleFetchers();
        var pruned = await maintenance.PruneAsync(ct).ConfigureAwait(false);
        if (pruned > 0) _log.LogInformation("Pruned {Count} finished jobs past their retention", pruned);
        return Task.Delay(_interval, Time, ct);
    }
}
