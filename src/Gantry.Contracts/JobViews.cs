namespace Gantry.Contracts;

/// <summary>A job as <c>GET /api/jobs/{id}</c> shows it. Times are ISO 8601; durations in milliseconds or seconds as named.</summary>
public sealed class JobView
{
    public long Id { get; set; }
    public string Queue { get; set; } = "";
    public string State { get; set; } = "";
    /// <summary>True once the job is succeeded, dead or cancelled.</summary>
    public bool Finished { get; set; }
    public RawJson? Payload { get; set; }
    public string? PayloadBase64 { get; set; }
    public string? UniqueKey { get; set; }
    public int Priority { get; set; }
    public DateTimeOffset RunAt { get; set; }
    public int Attempt { get; set; }
    public int MaxAttempts { get; set; }
    public double Timeout { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    public bool CancelRequested { get; set; }
    public RawJson? Result { get; set; }
    public string? ResultBase64 { get; set; }
    public List<JobErrorView> Errors { get; set; } = [];
    /// <summary>Enqueue → start of the latest attempt: start − max(created, run_at).</summary>
    public double? DelayMs { get; set; }
    /// <summary>Start → finish of the latest attempt.</summary>
    public double? ProcessMs { get; set; }
}

public sealed class JobErrorView
{
    public int Attempt { get; set; }
    public DateTimeOffset At { get; set; }
    public string Message { get; set; } = "";
    public string? Details { get; set; }
}

public sealed class JobPageView
{
    public List<JobView> Jobs { get; set; } = [];
    /// <summary>Pass as <c>before</c> for the next page; null on the last page.</summary>
    public long? Next { get; set; }
}

/// <summary>The answer to <c>POST /api/jobs/{id}/cancel</c>.</summary>
public sealed class CancelResponse
{
    /// <summary><c>cancelled</c>, <c>cancel_requested</c> (running: its worker stops at its next heartbeat) or <c>already_finished</c>.</summary>
    public string Outcome { get; set; } = "";
    public JobView? Job { get; set; }
}

public sealed class QueueView
{
    public string Name { get; set; } = "";
    /// <summary>"durable" (jobs in the store) or "memory" (the in-memory lane: fastest, lost when the server stops).</summary>
    public string Lane { get; set; } = "durable";
    public bool Paused { get; set; }
    /// <summary>Jobs per state, every state present.</summary>
    public Dictionary<string, long> Counts { get; set; } = [];
    /// <summary>How long the oldest available job has waited, in seconds; null when none waits.</summary>
    public double? OldestAvailableAgeSeconds { get; set; }
    /// <summary>Workers' fetches waiting on this server now for a job of the queue (long polls).</summary>
    public int WaitingFetches { get; set; }
}

public sealed class QueueListView
{
    public List<QueueView> Queues { get; set; } = [];
}

public sealed class HealthView
{
    /// <summary><c>ok</c>, <c>starting</c>, <c>store_unreachable</c>, or (liveness) <c>alive</c>.</summary>
    public string Status { get; set; } = "";
    public string? Store { get; set; }
    public string Version { get; set; } = "";
    /// <summary>Why the server is not ready, when it is not.</summary>
    public string? Detail { get; set; }
}
