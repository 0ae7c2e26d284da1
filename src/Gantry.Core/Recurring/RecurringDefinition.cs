namespace Gantry.Core.Recurring;

/// <summary>What to run and when: the part of a recurring schedule its owner writes. Validated by <see cref="RecurringRules"/>.</summary>
/// <param name="Name">Identifies the schedule; one job per tick per name.</param>
/// <param name="Cron">The expression as written (see <see cref="ICronParser"/> for the forms).</param>
/// <param name="TimeZone">IANA id (e.g. <c>Europe/Berlin</c>) the expression's clock readings are in.</param>
/// <param name="Queue">Where each tick's job goes.</param>
/// <param name="Payload">Each tick's job's payload.</param>
/// <param name="Priority">The job's priority, or null for the server's default (likewise the next two).</param>
/// <param name="MaxAttempts">The job's attempts.</param>
/// <param name="Timeout">The job's lease.</param>
/// <param name="Misfire">What to do when ticks passed while no server could fire them.</param>
/// <param name="SkipIfRunning">Skip a tick while the previous tick's job has not finished.</param>
public sealed record RecurringDefinition(
    string Name,
    string Cron,
    string TimeZone,
    string Queue,
    ReadOnlyMemory<byte> Payload,
    int? Priority,
    int? MaxAttempts,
    TimeSpan? Timeout,
    MisfirePolicy Misfire,
    bool SkipIfRunning)
{
    /// <summary>Field by field, payload bytes included (a record's own equality compares the payload's reference).</summary>
    public bool SameAs(RecurringDefinition other) =>
        Name == other.Name && Cron == other.Cron && TimeZone == other.TimeZone && Queue == other.Queue
        && Payload.Span.SequenceEqual(other.Payload.Span) && Priority == other.Priority && MaxAttempts == other.MaxAttempts
        && Timeout == other.Timeout && Misfire == other.Misfire && SkipIfRunning == other.SkipIfRunning;

    /// <summary>Whether a change to <paramref name="other"/> moves the ticks (so the next fire time must be recomputed).</summary>
    public bool SameTicksAs(RecurringDefinition other) => Cron == other.Cron && TimeZone == other.TimeZone;
}

/// <summary>What a schedule does about ticks that passed while no server fired them (all servers down, say).</summary>
public enum MisfirePolicy
{
    /// <summary>Drop the missed ticks; the next run is the next tick after now.</summary>
    Skip = 0,
    /// <summary>Run once now for all the missed ticks together, then go on from the next tick after now.</summary>
    FireOnce = 1,
}

/// <summary>Who owns a schedule: the API (and CLI/SDK), or a server's configuration file.</summary>
public enum RecurringSource
{
    Api = 0,
    /// <summary>Written at start-up from <c>Gantry:Recurring:Schedules</c>; a later start with a changed entry rewrites it.</summary>
    Config = 1,
}
