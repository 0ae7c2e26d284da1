using Gantry.Contracts;
using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Gantry.Core.Queues;
using Gantry.Core.Recurring;

namespace Gantry.Http;

/// <summary>Domain objects to wire shapes and back; the only place that knows both.</summary>
internal static class WireMapping
{
    /// <summary>The job a request asks for; its time fields are range-checked as numbers here (the engine checks them
    /// again as spans, with the same message), since a number like 1e12 seconds does not fit in a span at all.</summary>
    public static EnqueueRequest ToDomain(EnqueueJobRequest r, string field, JobLimits limits, bool watchFinish = false)
    {
        var prefix = field.Length == 0 ? "" : field + ".";
        return new()
        {
            Queue = r.Queue!,
            Payload = RequestReading.Bytes(r.Payload, r.PayloadBase64, prefix + "payload"),
            RunAt = r.RunAt,
            Delay = TimeRange.Delay.FromSeconds(r.Delay, prefix + "delay"),
            Priority = r.Priority,
            UniqueKey = r.UniqueKey,
            MaxAttempts = r.MaxAttempts,
            Timeout = TimeRange.Timeout(limits).FromSeconds(r.Timeout, prefix + "timeout"),
            WatchFinish = watchFinish,
        };
    }

    public static EnqueuedJob ToWire(EnqueueResult r) => new() { Id = r.Id, State = r.State.ToWire(), Existing = r.Existing };

    public static JobView ToWire(Job job)
    {
        var (payload, payloadBase64) = Payloads.ToWire(job.Payload);
        var (result, resultBase64) = job.Result is { } bytes ? Payloads.ToWire(bytes) : (null, null);
        return new JobView
        {
            Id = job.Id,
            Queue = job.Queue,
            State = job.State.ToWire(),
            Finished = job.State.IsFinished(),
            Payload = payload,
            PayloadBase64 = payloadBase64,
            UniqueKey = job.UniqueKey,
            Priority = job.Priority,
            RunAt = job.RunAt,
            Attempt = job.Attempt,
            MaxAttempts = job.MaxAttempts,
            Timeout = job.Timeout.TotalSeconds,
            CreatedAt = job.CreatedAt,
            StartedAt = job.StartedAt,
            FinishedAt = job.FinishedAt,
            LeaseExpiresAt = job.LeaseExpiresAt,
            CancelRequested = job.CancelRequested,
            Result = result,
            ResultBase64 = resultBase64,
            Errors = job.Errors.Select(e => new JobErrorView { Attempt = e.Attempt, At = e.At, Message = e.Message, Details = e.Details }).ToList(),
            DelayMs = job.Delay?.TotalMilliseconds,
            ProcessMs = job.ProcessTime?.TotalMilliseconds,
        };
    }

    public static LeasedJobView ToWire(LeasedJob job)
    {
        var (payload, payloadBase64) = Payloads.ToWire(job.Payload);
        return new LeasedJobView
        {
            Id = job.Id,
            Queue = job.Queue,
            Attempt = job.Attempt,
            MaxAttempts = job.MaxAttempts,
            Priority = job.Priority,
            Payload = payload,
            PayloadBase64 = payloadBase64,
            UniqueKey = job.UniqueKey,
            CreatedAt = job.CreatedAt,
            RunAt = job.RunAt,
            StartedAt = job.StartedAt,
            LeaseExpiresAt = job.LeaseExpiresAt,
            Timeout = job.Timeout.TotalSeconds,
        };
    }

    public static QueueView ToWire(QueueSummary q, DateTimeOffset now) => new()
    {
        Name = q.Name,
        Lane = q.Lane,
        Paused = q.Paused,
        Counts = JobStates.All.ToDictionary(s => s.ToWire(), s => q.Counts.TryGetValue(s, out var n) ? n : 0),
        OldestAvailableAgeSeconds = q.OldestAvailableAge(now)?.TotalSeconds,
        WaitingFetches = q.WaitingFetches,
    };

    public static string ToWire(LeaseStatus status) => status switch
    {
        LeaseStatus.Ok => "ok",
        LeaseStatus.Lost => "lost",
        LeaseStatus.CancelRequested => "cancel_requested",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static string ToWire(CancelOutcome outcome) => outcome switch
    {
        CancelOutcome.Cancelled => "cancelled",
        CancelOutcome.CancelRequested => "cancel_requested",
        CancelOutcome.AlreadyFinished => "already_finished",
        CancelOutcome.NotFound => "not_found",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };

    public static RecurringScheduleView ToWire(RecurringSchedule s, IReadOnlyList<DateTimeOffset> upcoming,
        IReadOnlyList<RecurringFireRecord>? recentFires = null)
    {
        var d = s.Definition;
        var (payload, payloadBase64) = Payloads.ToWire(d.Payload);
        return new RecurringScheduleView
        {
            Name = d.Name,
            Cron = d.Cron,
            TimeZone = d.TimeZone,
            Queue = d.Queue,
            Payload = payload,
            PayloadBase64 = payloadBase64,
            Priority = d.Priority,
            MaxAttempts = d.MaxAttempts,
            Timeout = d.Timeout?.TotalSeconds,
            Misfire = d.Misfire == MisfirePolicy.Skip ? "skip" : "fire_once",
            SkipIfRunning = d.SkipIfRunning,
            Paused = s.Paused,
            Source = s.Source == RecurringSource.Config ? "config" : "api",
            NextFireAt = s.Paused ? null : s.NextFireAt,
            Upcoming = [.. upcoming],
            LastFireAt = s.LastFireAt,
            LastJobId = s.LastJobId,
            RecentFires = recentFires?.Select(f => new RecurringFireView
            {
                Tick = f.Tick,
                Outcome = f.Outcome switch
                {
                    RecurringFireOutcome.Fired => "fired",
                    RecurringFireOutcome.SkippedRunning => "skipped_running",
                    _ => "skipped_misfire",
                },
                JobId = f.JobId,
                FiredAt = f.FiredAt,
            }).ToList(),
            CreatedAt = s.CreatedAt,
            UpdatedAt = s.UpdatedAt,
        };
    }

    public static RecurringRequest ToDomain(RecurringScheduleRequest body, string name, JobLimits limits) => new RecurringRequest
    {
        Name = name,
        Cron = body.Cron ?? "",
        TimeZone = body.TimeZone,
        Queue = body.Queue ?? "",
        Payload = RequestReading.Bytes(body.Payload, body.PayloadBase64, "payload"),
        Priority = body.Priority,
        MaxAttempts = body.MaxAttempts,
        Timeout = TimeRange.Timeout(limits).FromSeconds(body.Timeout, "timeout"),
        Misfire = RecurringSchedules.ParseMisfire(body.Misfire),
        SkipIfRunning = body.SkipIfRunning ?? false,
        Paused = body.Paused,
    };
}
