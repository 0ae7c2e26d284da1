namespace Gantry.Client;

/// <summary>Per-job options; anything left null takes the server's default.</summary>
public sealed record EnqueueOptions
{
    public DateTimeOffset? RunAt { get; init; }
    public TimeSpan? Delay { get; init; }
    public int? Priority { get; init; }
    /// <summary>While a live job of the queue holds this key, enqueueing returns that job (with <c>Existing</c> set).</summary>
    public string? UniqueKey { get; init; }
    public int? MaxAttempts { get; init; }
    /// <summary>Lease length; the worker host heartbeats every third of it.</summary>
    public TimeSpan? Timeout { get; init; }
}
