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
            catch (Exception ex)
            {
                log.LogError(ex, "{Service} pass failed; trying again in {Delay}", GetType().Name, RetryAfterError);
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
