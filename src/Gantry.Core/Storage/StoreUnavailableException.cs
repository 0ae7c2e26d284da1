namespace Gantry.Core.Storage;

/// <summary>
/// The store cannot be reached now (the database is down, restarting, or refusing connections). Not the caller's
/// mistake and not a bug: fronts answer "try again" (HTTP 503 with Retry-After, Gearman QUEUE_ERROR), housekeeping
/// waits and tries again, and <see cref="StoreHealth"/> logs the outage once rather than per call. A write that failed
/// this way may still have been committed: a retry with the same unique key is safe.
/// </summary>
public sealed class StoreUnavailableException(string store, string reason, Exception? inner = null)
    : Exception($"The {store} store cannot be reached: {reason}", inner)
{
    public string Store { get; } = store;

    public string Reason { get; } = reason;
}
