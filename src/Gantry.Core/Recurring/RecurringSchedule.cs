namespace Gantry.Core.Recurring;

/// <summary>A recurring schedule as stored: its definition and where it stands.</summary>
/// <param name="Definition">What and when.</param>
/// <param name="Source">Who owns it.</param>
/// <param name="Paused">A paused schedule fires nothing; resuming goes on from the next tick after the resume.</param>
/// <param name="NextFireAt">The next tick to fire, or null when the expression has no tick left (a year that has passed).</param>
/// <param name="LastFireAt">The last tick that was acted on (fired or skipped).</param>
/// <param name="LastJobId">The job of the last fire or trigger, which "skip if running" watches.</param>
/// <param name="CreatedAt">When the schedule was first saved.</param>
/// <param name="UpdatedAt">When its definition or pause state last changed.</param>
public sealed record RecurringSchedule(
    RecurringDefinition Definition,
    RecurringSource Source,
    bool Paused,
    DateTimeOffset? NextFireAt,
    DateTimeOffset? LastFireAt,
    long? LastJobId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public string Name => Definition.Name;
}

/// <summary>One fire of a schedule, done by the store in one transaction.</summary>
/// <param name="Name">The schedule.</param>
/// <param name="Tick">The tick being fired; the store records it under a unique constraint, so each tick fires once across
/// every server. Null for "trigger now", which fires outside the ticks and leaves <see cref="RecurringSchedule.NextFireAt"/> alone.</param>
/// <param name="ExpectedNextFireAt">For a tick: the schedule's next fire time as the caller read it; if it has moved
/// (another server fired, or the schedule changed) nothing happens.</param>
/// <param name="NextFireAt">For a tick: the next fire time to store.</param>
/// <param name="Job">The job to insert, or null to record the tick as skipped (a misfire under <see cref="MisfirePolicy.Skip"/>).</param>
/// <param name="SkipIfRunning">Record the tick as skipped instead when the schedule's last job is not finished.</param>
/// <param name="Now">When the fire happens.</param>
public sealed record RecurringFire(
    string Name,
    DateTimeOffset? Tick,
    DateTimeOffset? ExpectedNextFireAt,
    DateTimeOffset? NextFireAt,
    Jobs.NewJob? Job,
    bool SkipIfRunning,
    DateTimeOffset Now);

/// <summary>What a fire did.</summary>
public enum RecurringFireOutcome
{
    /// <summary>The job was inserted.</summary>
    Fired = 0,
    /// <summary>The tick was recorded without a job: the previous job is still running.</summary>
    SkippedRunning = 1,
    /// <summary>The tick was recorded without a job: it was missed and the policy is to skip.</summary>
    SkippedMisfire = 2,
    /// <summary>Nothing happened: the tick was fired already (by another server) or the schedule moved on or was paused.</summary>
    Stale = 3,
    /// <summary>Nothing happened: there is no such schedule.</summary>
    NotFound = 4,
}

/// <summary>The outcome, and the inserted job's id when one was.</summary>
public readonly record struct RecurringFireResult(RecurringFireOutcome Outcome, long? JobId);

/// <summary>A tick a schedule acted on, from the store's fire records (kept for <c>Retention:RecurringFires</c>).</summary>
/// <param name="Tick">The tick.</param>
/// <param name="Outcome">Fired, or skipped (running or misfire).</param>
/// <param name="JobId">The job it enqueued, when it fired.</param>
/// <param name="FiredAt">When a server acted on it.</param>
public readonly record struct RecurringFireRecord(DateTimeOffset Tick, RecurringFireOutcome Outcome, long? JobId, DateTimeOffset FiredAt);
