using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Gantry.Client.Workers;

/// <summary>
/// Keeps the leases of in-flight jobs alive: each job is heartbeaten once a third of its lease has passed, all
/// due jobs in one request. A lost lease or a cancellation request fires that job's token.
/// </summary>
internal sealed class LeaseHeartbeats
{
    /// <summary>Defaults to checking every 500 ms which leases are due; the requests themselves are only sent when some are.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<long, InFlightJob> _jobs = new();
    private readonly GantryClient _client;
    private readonly CallFailures _failures;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LeaseHeartbeats(GantryClient client, CallFailures failures, TimeProvider time, ILogger log)
    {
        (_client, _failures, _time, _log) = (client, failures, time, log);
        _loop = Task.Run(RunAsync);
    }

    public void Track(InFlightJob job) => _jobs[job.Job.Id] = job;

    public void Untrack(InFlightJob job) => _jobs.TryRemove(new KeyValuePair<long, InFlightJob>(job.Job.Id, job));

    public async Task StopAsync()
    {
        _stop.Cancel();
        try { await _loop.ConfigureAwait(false); }
        catch (OperationCanceledException) { }
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(Tick, _time, _stop.Token).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var due = _jobs.Values.Where(j => now - j.LastBeat >= j.Timeout / 3 && j.Stop == StopReason.None).ToList();
            if (due.Count == 0) continue;
            try
            {
                var outcomes = await _client.HeartbeatAsync(due.Select(j => j.Lease), _stop.Token).ConfigureAwait(false);
                _failures.Succeeded();
                for (var i = 0; i < outcomes.Count && i < due.Count; i++)
                {
                    var job = due[i];
                    switch (outcomes[i].Status)
                    {
                        case "ok":
                            job.LastBeat = now;
                            break;
                        case "cancel_requested":
                            job.LastBeat = now;
                            _log.LogInformation("Job {JobId} was cancelled; stopping its handler", job.Job.Id);
                            job.Cancel(StopReason.CancelRequested);
                            break;
                        default:
                            _log.LogWarning("Job {JobId} lost its lease; stopping its handler (the job may run elsewhere)", job.Job.Id);
                            job.Cancel(StopReason.LeaseLost);
                            break;
                    }
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Keep going: the next tick tries again while the leases still have two thirds of their time left (no
                // backoff here: a lease outlives only a few missed beats).
                _failures.Failed(ex);
            }
        }
    }
}
