namespace Gantry.Core.Options;

/// <summary>Everything the engine can be told, bound from the <c>Gantry</c> configuration section.</summary>
public sealed class GantryEngineOptions : ISelfValidatingOptions
{
    public JobLimits Limits { get; set; } = new();
    public JobDefaults Jobs { get; set; } = new();
    public RetryOptions Retry { get; set; } = new();
    public RetentionOptions Retention { get; set; } = new();
    public EngineTimings Timings { get; set; } = new();
    public RecurringOptions Recurring { get; set; } = new();
    public MemoryLaneOptions MemoryLane { get; set; } = new();
    public TopicOptions Topics { get; set; } = new();
    public WebhookOptions Webhooks { get; set; } = new();
    /// <summary>Per-queue settings by queue name (<c>Gantry:Queues:NAME:Lane</c>).</summary>
    public Dictionary<string, QueueOptions> Queues { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every problem with these options, each naming its configuration key; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        void Range(string key, double value, double min, double max)
        {
            if (value < min || value > max || double.IsNaN(value))
                errors.Add($"Gantry:{key} must be between {min} and {max} (got {value}).");
        }
        void Span(string key, TimeSpan value, TimeSpan min, TimeSpan max)
        {
            if (value < min || value > max)
                errors.Add($"Gantry:{key} must be between {min} and {max} (got {value}).");
        }

        Range("Limits:MaxPayloadBytes", Limits.MaxPayloadBytes, 1, 256 * 1024 * 1024);
        Range("Limits:MaxResultBytes", Limits.MaxResultBytes, 0, 256 * 1024 * 1024);
        Range("Limits:MaxUniqueKeyLength", Limits.MaxUniqueKeyLength, 1, 4096);
        Range("Limits:MaxBatchSize", Limits.MaxBatchSize, 1, 100_000);
        Range("Limits:MaxFetchSize", Limits.MaxFetchSize, 1, 100_000);
        Span("Limits:MaxWait", Limits.MaxWait, TimeSpan.Zero, TimeSpan.FromHours(1));
        Range("Limits:MaxErrorHistory", Limits.MaxErrorHistory, 1, 1000);
        Range("Limits:MaxErrorTextLength", Limits.MaxErrorTextLength, 16, 1024 * 1024);
        Range("Limits:MaxAttemptsCeiling", Limits.MaxAttemptsCeiling, 1, JobLimits.HighestMaxAttemptsCeiling);
        Span("Limits:MaxTimeout", Limits.MaxTimeout, JobLimits.MinTimeout, JobLimits.HighestMaxTimeout);

        Range("Jobs:MaxAttempts", Jobs.MaxAttempts, 1, Limits.MaxAttemptsCeiling);
        Span("Jobs:Timeout", Jobs.Timeout, JobLimits.MinTimeout, Limits.MaxTimeout);

        Span("Retry:BaseDelay", Retry.BaseDelay, TimeSpan.Zero, TimeSpan.FromDays(1));
        Span("Retry:MaxDelay", Retry.MaxDelay, Retry.BaseDelay, TimeSpan.FromDays(30));
        Range("Retry:Jitter", Retry.Jitter, 0, 1);

        Span("Retention:Succeeded", Retention.Succeeded, TimeSpan.Zero, TimeSpan.FromDays(3650));
        Span("Retention:Cancelled", Retention.Cancelled, TimeSpan.Zero, TimeSpan.FromDays(3650));
        Span("Retention:Dead", Retention.Dead, TimeSpan.Zero, TimeSpan.FromDays(3650));
        Span("Retention:PruneInterval", Retention.PruneInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Range("Retention:PruneBatchSize", Retention.PruneBatchSize, 1, 1_000_000);

        Span("Timings:LeaseCheckInterval", Timings.LeaseCheckInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        Span("Timings:FallbackPollInterval", Timings.FallbackPollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        Span("Timings:SchedulerMaxSleep", Timings.SchedulerMaxSleep, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));

        Span("Recurring:MisfireThreshold", Recurring.MisfireThreshold, TimeSpan.Zero, TimeSpan.FromDays(1));
        Range("Recurring:BatchSize", Recurring.BatchSize, 1, 10_000);
        Range("Recurring:UpcomingCount", Recurring.UpcomingCount, 0, 100);
        Range("Recurring:RecentFiresCount", Recurring.RecentFiresCount, 0, 1000);
        Range("MemoryLane:MaxJobs", MemoryLane.MaxJobs, 1, 100_000_000);
        Range("MemoryLane:KeepFinished", MemoryLane.KeepFinished, 0, 10_000_000);
        Range("MemoryLane:KeepUnwatched", MemoryLane.KeepUnwatched, 0, 10_000_000);
        foreach (var (name, queue) in Queues)
        {
            if (!Gantry.Core.Queues.QueueName.IsValid(name))
                errors.Add($"Gantry:Queues:{name}: '{name}' is not a valid queue name (1-{Gantry.Core.Queues.QueueName.MaxLength} letters, digits, '_', '.', ':' or '-').");
            if (queue.Lane is not (null or Gantry.Core.Queues.QueueLanes.Memory or Gantry.Core.Queues.QueueLanes.Durable))
                errors.Add($"Gantry:Queues:{name}:Lane must be '{Gantry.Core.Queues.QueueLanes.Memory}' or '{Gantry.Core.Queues.QueueLanes.Durable}' (got '{queue.Lane}').");
        }
        Span("Retention:RecurringFires", Retention.RecurringFires, TimeSpan.FromHours(1), TimeSpan.FromDays(3650));
        Topics.Validate(errors);
        Webhooks.Validate(errors, Limits.MaxAttemptsCeiling);
        return errors;
    }
}
