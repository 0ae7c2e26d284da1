namespace Gantry.Core.Recurring;

/// <summary>What a caller asks for when creating or replacing a schedule; anything left null takes its default.</summary>
public sealed class RecurringRequest
{
    public required string Name { get; init; }
    public required string Cron { get; init; }
    /// <summary>IANA id; defaults to <see cref="RecurringRules.DefaultTimeZone"/>.</summary>
    public string? TimeZone { get; init; }
    public required string Queue { get; init; }
    public ReadOnlyMemory<byte> Payload { get; init; }
    public int? Priority { get; init; }
    public int? MaxAttempts { get; init; }
    public TimeSpan? Timeout { get; init; }
    /// <summary>Defaults to <see cref="RecurringRules.DefaultMisfire"/>.</summary>
    public MisfirePolicy? Misfire { get; init; }
    public bool SkipIfRunning { get; init; }
    /// <summary>Create (or keep) the schedule paused.</summary>
    public bool? Paused { get; init; }
}
