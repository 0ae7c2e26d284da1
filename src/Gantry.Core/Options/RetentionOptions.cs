namespace Gantry.Core.Options;

/// <summary>How long finished jobs are kept before they are pruned. Configuration: <c>Gantry:Retention</c>.</summary>
public sealed class RetentionOptions
{
    /// <summary>Defaults to 24 hours: long enough to look at yesterday's results, short enough that a
    /// busy queue does not fill the disk.</summary>
    public static readonly TimeSpan DefaultSucceeded = TimeSpan.FromHours(24);
    /// <summary>Defaults to 24 hours, as succeeded jobs.</summary>
    public static readonly TimeSpan DefaultCancelled = TimeSpan.FromHours(24);
    /// <summary>Defaults to 7 days: dead jobs need a person to look at them, who may be away for a weekend.</summary>
    public static readonly TimeSpan DefaultDead = TimeSpan.FromDays(7);
    /// <summary>Defaults to one minute between prune passes.</summary>
    public static readonly TimeSpan DefaultPruneInterval = TimeSpan.FromMinutes(1);
    /// <summary>Defaults to 5000 rows per delete statement, so pruning never holds locks for long.</summary>
    public const int DefaultPruneBatchSize = 5000;
    /// <summary>Defaults to 7 days of recurring-schedule fire records (which tick fired which job). A tick is only ever
    /// due again if a schedule's clock is set back, which saving a schedule never does, so a week is ample.</summary>
    public static readonly TimeSpan DefaultRecurringFires = TimeSpan.FromDays(7);

    public TimeSpan Succeeded { get; set; } = DefaultSucceeded;
    public TimeSpan Cancelled { get; set; } = DefaultCancelled;
    public TimeSpan Dead { get; set; } = DefaultDead;
    public TimeSpan PruneInterval { get; set; } = DefaultPruneInterval;
    public int PruneBatchSize { get; set; } = DefaultPruneBatchSize;
    public TimeSpan RecurringFires { get; set; } = DefaultRecurringFires;
}
