using Gantry.Contracts;

namespace Gantry.Client.Workers;

/// <summary>A job a handler is working on, with what the host has learned about it since the fetch.</summary>
internal sealed class InFlightJob(LeasedJobView job, DateTimeOffset leasedAt)
{
    public LeasedJobView Job { get; } = job;
    /// <summary>Fired by <see cref="Cancel"/>: a plain source (not linked to a parent) keeps the per-job cost low.</summary>
    public CancellationTokenSource Cancellation { get; } = new();
    public TimeSpan Timeout { get; } = TimeSpan.FromSeconds(Math.Max(1, job.Timeout));
    public DateTimeOffset LastBeat { get; set; } = leasedAt;

    /// <summary>Why the handler's token fired, if the host fired it; decides what (if anything) to report.</summary>
    public volatile StopReason Stop;

    public LeaseItem Lease => new() { Id = Job.Id, Attempt = Job.Attempt };

    public void Cancel(StopReason reason)
    {
        if (Stop == StopReason.None) Stop = reason;
        try { Cancellation.Cancel(); }
        catch (ObjectDisposedException) { /* the handler already finished */ }
    }
}

internal enum StopReason
{
    None,
    /// <summary>Someone cancelled the job: report the stop so the server records it cancelled.</summary>
    CancelRequested,
    /// <summary>The lease is gone (expired, or taken back): nothing to report, the server moved on.</summary>
    LeaseLost,
    /// <summary>Shutdown past the grace period: the job was released back to the queue.</summary>
    Released,
}
