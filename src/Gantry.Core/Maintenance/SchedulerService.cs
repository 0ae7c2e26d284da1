using Gantry.Core.Engine;
using Gantry.Core.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Maintenance;

/// <summary>Makes scheduled and retrying jobs available when their time comes. It sleeps until the earliest
/// due job, and a job scheduled sooner through this server wakes it early, so a job starts on time without polling.</summary>
public sealed class SchedulerService(JobMaintenance maintenance, JobSignals signals, IOptions<GantryEngineOptions> options,
    TimeProvider time, ILogger<SchedulerService> log) : MaintenanceLoop(time, log)
{
    private readonly TimeSpan _maxSleep = options.Value.Timings.SchedulerMaxSleep;

    protected override async Task<Task> RunOnceAsync(CancellationToken ct)
    {
        // Taken before the store is read, so a job scheduled while we look is not missed.
        var changed = signals.BeginScheduleWait();
        await maintenance.PromoteDueAsync(ct).ConfigureAwait(false);
        var nextDue = await maintenance.NextDueAtAsync(ct).ConfigureAwait(false);
        // Other servers sharing the store schedule jobs this one hears nothing about: never sleep past _maxSleep.
        var wake = WakeAt(Time.GetUtcNow(), nextDue, _maxSleep);
        signals.PlanSchedulerWake(wake);
        return SleepUntil(wake, changed, ct);
    }
}
