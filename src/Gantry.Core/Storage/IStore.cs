namespace Gantry.Core.Storage;

/// <summary>
/// A storage back end (River calls it a driver): what it can do, its migrations, and one port per concern. The topic
/// log, consumer groups and sagas get ports of their own beside these.
/// </summary>
public interface IStore : IAsyncDisposable
{
    StoreCapabilities Capabilities { get; }

    /// <summary>Opens the store and applies pending schema migrations; safe when several servers call it at once. Call
    /// once before anything else.</summary>
    Task MigrateAsync(CancellationToken ct);

    IJobStore Jobs { get; }

    IQueueStore Queues { get; }

    IRecurringStore Recurring { get; }
}

/// <summary>What a driver can do, probed rather than assumed.</summary>
/// <param name="Name">For logs and the health endpoint (<c>sqlite</c>, <c>postgresql</c>).</param>
/// <param name="SupportsListener">Other servers' changes arrive as notifications; without it only this
/// server changes the store.</param>
public sealed record StoreCapabilities(string Name, bool SupportsListener);
