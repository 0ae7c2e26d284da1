using Gantry.Core.Options;
using Gantry.Core.Queues;

namespace Gantry.Core.Jobs;

/// <summary>Turns an <see cref="EnqueueRequest"/> into a <see cref="NewJob"/>, or says exactly what is wrong with it.</summary>
public sealed class EnqueueRules(JobLimits limits, JobDefaults defaults)
{
    /// <summary>Longest delay a job may be scheduled ahead: <see cref="JobLimits.MaxScheduleAhead"/>.</summary>
    public static readonly TimeSpan MaxScheduleAhead = JobLimits.MaxScheduleAhead;

    /// <summary>Validates <paramref name="request"/>; <paramref name="field"/> prefixes error messages (e.g. <c>jobs[3]</c>).</summary>
    /// <param name="request">The job.</param>
    /// <param name="now">The one clock reading every time of the job is resolved against.</param>
    /// <param name="field">Prefix for error messages.</param>
    /// <param name="front">A protocol front's own limits where its protocol has them (Gearman's function names and packet
    /// size); null for the Gantry API's.</param>
    public NewJob Apply(in EnqueueRequest request, DateTimeOffset now, string field = "", FrontLimits? front = null)
    {
        var prefix = field.Length == 0 ? "" : field + ".";
        var queue = front is null ? QueueName.Validate(request.Queue, prefix + "queue") : request.Queue;

        var maxPayload = front?.MaxPayloadBytes ?? limits.MaxPayloadBytes;
        if (request.Payload.Length > maxPayload)
            throw GantryException.TooLarge(prefix + "payload",
                $"the payload is {request.Payload.Length} bytes; the limit is {maxPayload} (" +
                (front is null ? "Gantry:Limits:MaxPayloadBytes" : front.PayloadSetting) + ").");

        var uniqueKey = request.UniqueKey;
        if (uniqueKey is not null)
        {
            if (uniqueKey.Length == 0)
                throw GantryException.Invalid(prefix + "unique_key", "an empty unique key is not allowed; leave it out instead.");
            if (uniqueKey.Contains('\0'))
                throw GantryException.Invalid(prefix + "unique_key", "unique keys cannot contain the NUL character (U+0000).");
            // A field that is too long is a bad request (400 over HTTP), not a body that is too large (413).
            if (uniqueKey.Length > limits.MaxUniqueKeyLength)
                throw GantryException.Invalid(prefix + "unique_key",
                    $"unique keys are at most {limits.MaxUniqueKeyLength} characters (got {uniqueKey.Length}); the limit is Gantry:Limits:MaxUniqueKeyLength.");
        }

        if (request.RunAt is not null && request.Delay is not null)
            throw GantryException.Invalid(prefix + "run_at", "give either run_at or delay, not both.");
        var runAt = now;
        if (request.Delay is { } delay)
        {
            runAt = now + TimeRange.Delay.Check(delay, prefix + "delay");
        }
        else if (request.RunAt is { } at)
        {
            if (at - now > MaxScheduleAhead)
                throw GantryException.Invalid(prefix + "run_at",
                    $"run_at is more than {JobLimits.MaxScheduleAheadDays} days ahead ({Durations.Number(MaxScheduleAhead.TotalSeconds)} seconds); got {at.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}.");
            // A time in the past means "as soon as possible"; keep creation order meaningful by not going back in time.
            runAt = at > now ? at : now;
        }

        var maxAttempts = request.MaxAttempts ?? defaults.MaxAttempts;
        if (maxAttempts < 1 || maxAttempts > limits.MaxAttemptsCeiling)
            throw GantryException.Invalid(prefix + "max_attempts", $"max_attempts must be between 1 and {limits.MaxAttemptsCeiling} (got {maxAttempts}).");

        var timeout = TimeRange.Timeout(limits).Check(request.Timeout ?? defaults.Timeout, prefix + "timeout");

        return new NewJob(queue, request.Payload, uniqueKey, request.Priority ?? defaults.Priority, runAt,
            maxAttempts, timeout, now, request.WatchFinish);
    }
}

/// <summary>Where a protocol front's own rules replace the API's: it validated the queue name by its protocol's rules
/// (Gearman function names are any bytes up to 512), and its packets may carry larger payloads.</summary>
/// <param name="MaxPayloadBytes">The payload limit.</param>
/// <param name="PayloadSetting">The setting that limit comes from, for the error message.</param>
public sealed record FrontLimits(int MaxPayloadBytes, string PayloadSetting);
