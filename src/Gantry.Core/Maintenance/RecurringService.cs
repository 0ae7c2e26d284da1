using Gantry.Core.Engine;
using Gantry.Core.Options;
using Gantry.Core.Recurring;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Maintenance;

/// <summary>Fires recurring schedules' ticks. It sleeps until the earliest next fire time; a schedule saved or resumed on
/// this server wakes it early, and it never sleeps past the scheduler's longest sleep, which bounds how late it sees a
/// schedule another server saved.</summary>
public sealed class RecurringService(RecurringSchedules schedules, JobSignals signals, IOptions<GantryEngineOptions> options,
    TimeProvider time, ILogger<RecurringService> log) : MaintenanceLoop(time, log)
{
    private readonly TimeSpan _maxSleep = options.Value.Timings.SchedulerMaxSleep;

    protected override async Task<Task> RunOnceAsync(CancellationToken ct)
    {
        // Taken before the store is read, so a schedule saved while we look is not missed.
        var changed = signals.NextRecurringChange();
        var pass = await schedules.FireDueAsync(ct).ConfigureAwait(false);
        var next = pass.LeftDue ? null : await schedules.NextFireAtAsync(ct).ConfigureAwait(false);
        return SleepUntil(WakeAt(Time.GetUtcNow(), next, _maxSleep), changed, ct);
    }
}
