using System.Threading.Channels;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Gearman;

/// <summary>
/// The bridge between Gearman and the Gantry store for durable functions. Background submissions are stored (many
/// per transaction) before JOB_CREATED; Gearman workers lease the queue's jobs in batches; their reports, which
/// Gearman never acknowledges to the worker, are batched into the store off the worker's path; and while a worker
/// stays connected the server keeps its lease alive (memory jobs' too), because Gearman workers do not heartbeat.
/// </summary>
internal sealed class DurableLane : BackgroundService, IDurableReports
{
    private readonly GearmanJobServer _server;
    private readonly JobEngine _engine;
    private readonly GearmanOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Channel<Report> _reports = Channel.CreateUnbounded<Report>(new UnboundedChannelOptions { SingleReader = true });

    public DurableLane(GearmanJobServer server, JobEngine engine, IOptions<GearmanOptions> options,
        TimeProvider time, ILogger<DurableLane> log)
    {
        _server = server;
        _engine = engine;
        _options = options.Value;
        _time = time;
        _log = log;
        server.Durable = this;
    }

    /// <summary>Stores background submissions of durable functions in one transaction.</summary>
    public Task<IReadOnlyList<EnqueueResult>> EnqueueAsync(IReadOnlyList<EnqueueRequest> requests, CancellationToken ct) =>
        _engine.EnqueueManyAsync(requests, ct);

    public EnqueueRequest Request(in Submission s, GearmanFunctionOptions function) => new()
    {
        Queue = s.Function,
        Payload = s.Payload,
        Priority = GearmanJobServer.StorePriority(s.Priority),
        UniqueKey = s.Unique.Length == 0 ? null : System.Text.Encoding.Latin1.GetString(s.Unique is [(byte)'-'] ? s.Payload.Span : s.Unique),
        RunAt = s.RunAt,
        MaxAttempts = function.Retries + 1,
        Timeout = _options.WorkerLease,
    };

    /// <summary>
    /// Leases jobs of the function's store queue for its Gearman workers, without waiting: several per connected worker
    /// (up to <see cref="GearmanOptions.DurablePrefetch"/>), so busy workers find their next job in memory.
    /// </summary>
    public Task<IReadOnlyList<LeasedJob>> LeaseAsync(GearmanFunction function, int workers, CancellationToken ct) =>
        _engine.FetchAsync(function.Name, Math.Clamp(workers * 16, 1, _options.DurablePrefetch), TimeSpan.Zero, ct);

    public Task<Job?> GetAsync(long id, CancellationToken ct) => _engine.GetAsync(id, ct);

    public Task<(CancelOutcome Outcome, Job? Job)> CancelAsync(long id, CancellationToken ct) => _engine.CancelAsync(id, ct);

    public void Complete(LeaseRef lease, ReadOnlyMemory<byte> result)
    {
        var limit = _engine.Options.Limits.MaxResultBytes;
        if (result.Length > limit)
        {
            // Stored as is it would fail the whole batch, and the job would run again and again; it cannot succeed.
            _reports.Writer.TryWrite(new Report(ReportKind.Discard, lease, null,
                $"the Gearman worker's result is {result.Length} bytes; the limit is {limit} (Gantry:Limits:MaxResultBytes)"));
            return;
        }
        _reports.Writer.TryWrite(new Report(ReportKind.Complete, lease, result.ToArray(), null));
    }

    public void Fail(LeaseRef lease, string message) =>
        _reports.Writer.TryWrite(new Report(ReportKind.Fail, lease, null, message));

    public void Release(LeaseRef lease, string why) =>
        _reports.Writer.TryWrite(new Report(ReportKind.Release, lease, null, why));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var keeper = KeepLeasesAsync(stoppingToken);
        var batch = new List<Report>();
        var reader = _reports.Reader;
        try
        {
            while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (batch.Count < _engine.Options.Limits.MaxBatchSize && reader.TryRead(out var report)) batch.Add(report);
                await WriteAsync(batch).ConfigureAwait(false);
                batch.Clear();
            }
        }
        finally
        {
            await keeper.ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Connections are gone by now (Kestrel stops first): their releases are in the channel; write them, then end.
        foreach (var lease in _server.TakeAllQueuedDurable()) Release(lease, "the server is stopping");
        _reports.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteAsync(List<Report> batch)
    {
        var completions = new List<Completion>();
        var failures = new List<Failure>();
        foreach (var r in batch)
        {
            if (r.Kind == ReportKind.Complete) completions.Add(new Completion(r.Lease.Id, r.Lease.Attempt, r.Result));
            else failures.Add(new Failure(r.Lease.Id, r.Lease.Attempt, r.Kind switch
            {
                ReportKind.Release => FailureKind.Released,
                ReportKind.Discard => FailureKind.Discard,
                _ => FailureKind.Error,
            }, r.Message ?? "failed"));
        }
        try
        {
            if (completions.Count > 0) await _engine.CompleteAsync(completions).ConfigureAwait(false);
            if (failures.Count > 0) await _engine.FailAsync(failures).ConfigureAwait(false);
        }
        catch (Core.Storage.StoreUnavailableException ex)
        {
            _log.LogWarning("Recording {Count} Gearman job reports failed ({Reason}); their leases will expire and the jobs run again",
                batch.Count, ex.Reason);
        }
        catch (Exception ex)
        {
            // The leases stay as they were: they expire and the jobs run again (at least once, never lost).
            _log.LogError(ex, "Recording {Count} Gearman job reports in the store failed; their leases will expire and the jobs run again",
                batch.Count);
        }
    }

    private async Task KeepLeasesAsync(CancellationToken ct)
    {
        var every = _options.WorkerLease / 3;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(every, _time, ct).ConfigureAwait(false);
                var leases = _server.HeldLeases();
                for (var i = 0; i < leases.Count; i += _engine.Options.Limits.MaxBatchSize)
                    await _engine.HeartbeatAsync(leases.GetRange(i, Math.Min(_engine.Options.Limits.MaxBatchSize, leases.Count - i)), ct)
                        .ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (Exception ex)
            {
                _log.LogWarning(ex, "Extending the leases of jobs held by Gearman workers failed; retrying");
            }
        }
    }

    private enum ReportKind : byte { Complete, Fail, Discard, Release }

    private sealed record Report(ReportKind Kind, LeaseRef Lease, byte[]? Result, string? Message);
}
