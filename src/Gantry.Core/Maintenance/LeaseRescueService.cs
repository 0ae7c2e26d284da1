using Gantry.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Maintenance;

/// <summary>Takes back jobs whose worker stopped heartbeating, so a dead worker never leaves a job stuck.</summary>
public sealed class LeaseRescueService(JobMaintenance maintenance, IOptions<GantryEngineOptions> options,
    TimeProvider time, ILogger<LeaseRescueService> log) : MaintenanceLoop(time, log)
{
    private readonly TimeSpan _interval = options.Value.Timings.LeaseCheckInterval;
    private readonly ILogger _log = log;

    protected override async Task<Task> RunOnceAsync(CancellationToken ct)
    {
        var rescued = await maintenance.RescueExpiredLeasesAsync(ct).ConfigureAwait(false);
        if (rescued > 0) _log.LogWarning("Took back {Count} jobs whose lease expired", rescued);
        return Task.Delay(_interval, Time, ct);
    }
}
