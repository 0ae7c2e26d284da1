using Gantry.Core.Jobs;
using Gantry.Core.Queues;

namespace Gantry.Core.Recurring;

/// <summary>Turns a <see cref="RecurringRequest"/> into a <see cref="RecurringDefinition"/>, or says exactly what is wrong.</summary>
public sealed class RecurringRules(ICronParser cron, EnqueueRules enqueueRules)
{
    /// <summary>Defaults to UTC: the one zone without clock changes, so a schedule means the same everywhere.</summary>
    public const string DefaultTimeZone = "UTC";
    /// <summary>Defaults to running once for missed ticks: a nightly report missed during an outage still gets made,
    /// once, rather than silently not at all (or once per missed night).</summary>
    public const MisfirePolicy DefaultMisfire = MisfirePolicy.FireOnce;
    /// <summary>256 characters for an expression and 64 for a time zone id: far more than any real one, and a bound on
    /// what the parser is handed.</summary>
    public const int MaxCronLength = 256, MaxTimeZoneLength = 64;

    /// <summary>Checks every field; the job fields by the same rules as an enqueue, so a schedule that saves always fires.</summary>
    public (RecurringDefinition Definition, CronSchedule Cron) Apply(RecurringRequest request, DateTimeOffset now)
    {
        var name = Validate(request.Name);
        if (string.IsNullOrWhiteSpace(request.Cron)) throw GantryException.Invalid("cron", "a cron expression is required.");
        // Fields that are too long are bad requests (400 over HTTP); 413 is for bodies over the size limit.
        if (request.Cron.Length > MaxCronLength)
            throw GantryException.Invalid("cron", $"a cron expression is at most {MaxCronLength} characters (got {request.Cron.Length}).");
        if (request.TimeZone?.Length > MaxTimeZoneLength)
            throw GantryException.Invalid("time_zone", $"a time zone id is at most {MaxTimeZoneLength} characters (got {request.TimeZone.Length}).");
        var timeZone = string.IsNullOrWhiteSpace(request.TimeZone) ? DefaultTimeZone : request.TimeZone.Trim();
        var schedule = cron.Parse(request.Cron.Trim(), timeZone);
        if (schedule.NextAfter(now) is null)
            throw GantryException.Invalid("cron", $"'{request.Cron}' has no tick after now; it would never run.");
        if (request.Misfire is { } m && !Enum.IsDefined(m)) throw GantryException.Invalid("misfire", "misfire must be skip or fire_once.");

        // Validated as the job it will enqueue, so a bad queue name or timeout is refused now, not at 3 a.m.
        var job = enqueueRules.Apply(new EnqueueRequest
        {
            Queue = request.Queue, Payload = request.Payload, Priority = request.Priority,
            MaxAttempts = request.MaxAttempts, Timeout = request.Timeout,
        }, now);
        var definition = new RecurringDefinition(name, request.Cron.Trim(), timeZone, job.Queue, request.Payload,
            request.Priority, request.MaxAttempts, request.Timeout, request.Misfire ?? DefaultMisfire, request.SkipIfRunning);
        return (definition, schedule);
    }

    /// <summary>Schedule names follow the queue-name rule: safe in URL paths, log lines and file names.</summary>
    public static string Validate(string? name)
    {
        if (QueueName.IsValid(name)) return name!;
        if (string.IsNullOrEmpty(name)) throw GantryException.Invalid("name", "a schedule name is required.");
        if (name.Length > QueueName.MaxLength) throw GantryException.Invalid("name", $"schedule names are at most {QueueName.MaxLength} characters (got {name.Length}).");
        throw GantryException.Invalid("name", "schedule names use letters, digits and _ . : - only.");
    }

    /// <summary>The job a tick enqueues, due at the tick so its delay counts from when it should have started.</summary>
    public NewJob JobFor(RecurringDefinition definition, DateTimeOffset tick, DateTimeOffset now)
    {
        var job = enqueueRules.Apply(new EnqueueRequest
        {
            Queue = definition.Queue, Payload = definition.Payload, Priority = definition.Priority,
            MaxAttempts = definition.MaxAttempts, Timeout = definition.Timeout,
        }, now);
        return tick < now ? job with { RunAt = tick } : job;
    }
}
