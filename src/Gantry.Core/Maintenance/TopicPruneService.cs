using Gantry.Core.Options;
using Gantry.Core.Topics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Maintenance;

/// <summary>Deletes topic messages past their retention (count and age), in small batches so publishers never wait
/// behind it, on the same interval as job pruning.</summary>
public sealed class TopicPruneService(TopicEngine topics, IOptions<GantryEngineOptions> options, TimeProvider time,
    ILogger<TopicPruneService> log) : MaintenanceLoop(time, log)
{
    private readonly RetentionOptions _retention = options.Value.Retention;
    private readonly ILogger _log = log;

    protected override async Task<Task> RunOnceAsync(CancellationToken ct)
    {
        var pruned = await topics.PruneAsync(_retention.PruneBatchSize, ct).ConfigureAwait(false);
        if (pruned > 0) _log.LogInformation("Pruned {Count} topic messages past their retention", pruned);
        return Task.Delay(_retention.PruneInterval, Time, ct);
    }
}
