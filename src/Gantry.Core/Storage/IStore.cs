namespace Gantry.Core.Storage;

/// <summary>
/// A storage back end (River calls it a driver): what it can do, its migrations, and one port per concern.
/// </summary>
public interface IStore : IAsyncDisposable
{
    StoreCapabilities Capabilities { get; }

    /// <summary>Opens the store and applies pending schema migrations; safe when several servers call it at once. Call
    /// once before anything else. All that <c>gantry migrate</c> does.</summary>
    Task MigrateAsync(CancellationToken ct);

    /// <summary>Starts what a serving store needs beyond its tables (PostgreSQL: listening to the other servers'
    /// notifications). Called by a server after <see cref="MigrateAsync"/>, never by a migrate-only run.</summary>
    Task StartAsync(CancellationToken ct);

    /// <summary>A cheap round trip that proves the store can be used now (the readiness endpoint's question);
    /// throws <see cref="StoreUnavailableException"/> when it cannot.</summary>
    Task StorePing(CancellationToken ct);

    IJobStore Jobs { get; }

    IQueueStore Queues { get; }

    IRecurringStore Recurring { get; }

    /// <summary>The topic log: durable topics' messages, offsets, epochs and retention.</summary>
    ITopicStore Topics { get; }

    /// <summary>Consumer groups on durable topics: cursors, leases, redeliveries and dead letters.</summary>
    IGroupStore Groups { get; }

    /// <summary>Webhooks and their cursors (their deliveries are jobs).</summary>
    IWebhookStore Webhooks { get; }
}

/// <summary>What a driver can do, probed rather than assumed.</summary>
/// <param name="Name">For logs and the health endpoint (<c>sqlite</c>, <c>postgresql</c>).</param>
/// <param name="SupportsListener">Other servers' changes arrive as notifications; without it only this
/// server changes the store.</param>
public sealed record StoreCapabilities(string Name, bool SupportsListener);
