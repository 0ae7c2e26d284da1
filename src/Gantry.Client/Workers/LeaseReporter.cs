using System.Threading.Channels;
using Gantry.Contracts;
using Microsoft.Extensions.Logging;

namespace Gantry.Client.Workers;

/// <summary>
/// Sends completions and failures in batches: while one request is on the wire, the next batch gathers, so a
/// busy worker reports hundreds of jobs per round trip and an idle one reports each job at once.
/// </summary>
internal sealed class LeaseReporter
{
    /// <summary>Defaults to 500 reports per request, under the server's default batch limit of 1000.</summary>
    public const int MaxBatch = 500;
    /// <summary>Defaults to 5 tries per batch before its reports are given up (the leases then expire and the jobs rerun).</summary>
    public const int MaxTries = 5;

    private readonly Channel<object> _reports = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly GantryClient _client;
    private readonly CallFailures _failures;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Task _loop;

    public LeaseReporter(GantryClient client, CallFailures failures, TimeProvider time, ILogger log)
    {
        (_client, _failures, _time, _log) = (client, failures, time, log);
        _loop = Task.Run(RunAsync);
    }

    public void Complete(LeasedJobView job, ReadOnlyMemory<byte>? result)
    {
        var (json, base64) = result is { } bytes ? Payloads.ToWire(bytes) : (null, null);
        _reports.Writer.TryWrite(new CompletionItem { Id = job.Id, Attempt = job.Attempt, Result = json, ResultBase64 = base64 });
    }

    public void Fail(LeasedJobView job, string error, string? details, bool retry) =>
        _reports.Writer.TryWrite(new FailureItem { Id = job.Id, Attempt = job.Attempt, Error = error, Details = details, Retry = retry });

    /// <summary>Sends everything reported so far and stops.</summary>
    public Task FlushAndStopAsync()
    {
        _reports.Writer.TryComplete();
        return _loop;
    }

    private async Task RunAsync()
    {
        var completions = new List<CompletionItem>();
        var failures = new List<FailureItem>();
        while (await _reports.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (completions.Count + failures.Count < MaxBatch && _reports.Reader.TryRead(out var report))
            {
                if (report is CompletionItem c) completions.Add(c);
                else failures.Add((FailureItem)report);
            }
            await Task.WhenAll(
                SendAsync(completions, items => _client.CompleteAsync(items), "completions"),
                SendAsync(failures, items => _client.FailAsync(items), "failures")).ConfigureAwait(false);
            completions.Clear();
            failures.Clear();
        }
    }

    private async Task SendAsync<T>(List<T> items, Func<List<T>, Task<IReadOnlyList<LeaseOutcome>>> send, string what)
    {
        if (items.Count == 0) return;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var outcomes = await send(items).ConfigureAwait(false);
                _failures.Succeeded();
                foreach (var lost in outcomes.Where(o => o.Status == "lost"))
                    _log.LogWarning("Job {JobId}: the report came too late, its lease was already lost (it may run again)", lost.Id);
                return;
            }
            catch (Exception ex) when (attempt < MaxTries)
            {
                await Task.Delay(_failures.Failed(ex), _time).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _failures.Failed(ex);
                _log.LogError("Gave up sending {Count} {What} after {Tries} tries; their leases will expire and the jobs run again", items.Count, what, MaxTries);
                return;
            }
        }
    }
}
