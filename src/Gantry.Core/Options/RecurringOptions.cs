using Gantry.Core.Recurring;

namespace Gantry.Core.Options;

/// <summary>Recurring (cron) schedules: how the server fires them, and the ones its configuration defines.
/// Configuration: <c>Gantry:Recurring</c>.</summary>
public sealed class RecurringOptions
{
    /// <summary>Defaults to 60 seconds (as Quartz): a tick fired later than this counts as missed and follows the
    /// schedule's misfire policy; a restart or a garbage-collection pause shorter than this fires it normally.</summary>
    public static readonly TimeSpan DefaultMisfireThreshold = TimeSpan.FromSeconds(60);
    /// <summary>Defaults to 100 due schedules per pass: one pass never holds up the next for long.</summary>
    public const int DefaultBatchSize = 100;
    /// <summary>Defaults to 5 upcoming fire times in listings.</summary>
    public const int DefaultUpcomingCount = 5;
    /// <summary>Defaults to the 10 latest fires in a schedule's details: enough to see whether last night's ran.</summary>
    public const int DefaultRecentFiresCount = 10;

    public TimeSpan MisfireThreshold { get; set; } = DefaultMisfireThreshold;
    public int BatchSize { get; set; } = DefaultBatchSize;
    public int UpcomingCount { get; set; } = DefaultUpcomingCount;
    public int RecentFiresCount { get; set; } = DefaultRecentFiresCount;

    /// <summary>Schedules by name, written to the store at start-up (see <see cref="RecurringSource.Config"/>).</summary>
    public Dictionary<string, RecurringScheduleOptions> Schedules { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>One schedule in the configuration file; the fields mean what <see cref="RecurringRequest"/>'s do.</summary>
public sealed class RecurringScheduleOptions
{
    public string? Cron { get; set; }
    public string? TimeZone { get; set; }
    public string? Queue { get; set; }
    /// <summary>The payload as text (JSON by convention, written as a string in the file: configuration flattens objects).</summary>
    public string? Payload { get; set; }
    public int? Priority { get; set; }
    public int? MaxAttempts { get; set; }
    public TimeSpan? Timeout { get; set; }
    /// <summary><c>skip</c> or <c>fire_once</c>.</summary>
    public string? Misfire { get; set; }
    public bool SkipIfRunning { get; set; }
}
