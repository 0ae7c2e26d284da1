using Gantry.Core.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Core.Maintenance;

/// <summary>
/// Shared shape of the housekeeping services: run a pass, then wait for whatever the pass says to wait for.
/// A failing pass (the database restarting, say) is logged and retried after a pause instead of ending the loop.
/// </summary>
public abstract class MaintenanceLoop(TimeProvider time, ILogger log) : BackgroundService
{
    /// <summary>Defaults to 2 seconds of pause after a failed pass before the next try.</summary>
    public static readonly TimeSpan RetryAfterError = TimeSpan.FromSeconds(2);

    protected TimeProvider Time { get; } = time;

    /// <summary>One pass; returns a task that completes when the next pass is due.</summary>
    protected abstract Task<Task> RunOnceAsync(CancellationToken ct);

    /// <summary>When a loop that waits for the earliest due item should wake: at <paramref name="next"/>, but never more
    /// than <paramref name="maxSleep"/> from <paramref name="now"/> (items other servers add are not signalled here).</summary>
    protected static DateTimeOffset WakeAt(DateTimeOffset now, DateTimeOffset? next, TimeSpan maxSleep) =>
        next is { } due && due - now < maxSleep ? due : now + maxSleep;

    /// <summary>Completes at <paramref name="wake"/>, or earlier when <paramref name="changed"/> does.</summary>
    protected Task SleepUntil(DateTimeOffset wake, Task changed, CancellationToken ct)
    {
        var sleep = wake - Time.GetUtcNow();
        return Task.WhenAny(changed, Task.Delay(sleep < TimeSpan.Zero ? TimeSpan.Zero : sleep, Time, ct));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            Task next;
            try
            {
                next = await RunOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreUnavailableException ex)
            {
                // StoreHealth has said so, once; a line per pass per service would bury it.
                log.LogDebug("{Service} pass could not reach the store ({Reason}); trying again in {Seconds} s", GetType().Name, ex.Reason, RetryAfterError.TotalSeconds);
                next = Task.Delay(RetryAfterError, Time, stoppingToken);
            }
            catch (Exception ex)
            {
                log.LogError(ex, "{Service} pass failed; trying again in {Seconds} s", GetType().Name, RetryAfterError.TotalSeconds);
                next = Task.Delay(RetryAfterError, Time, stoppingToken);
            }
            try
            {
                await next.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
