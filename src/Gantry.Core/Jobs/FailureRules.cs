using System.Text.Json;
using Gantry.Core.Options;

namespace Gantry.Core.Jobs;

/// <summary>The job state machine's failure edges, as one pure function that every store calls under the row's lock.</summary>
public sealed class FailureRules(RetryPolicy retry, JobLimits limits)
{
    /// <summary>Decides what <paramref name="failure"/> does to <paramref name="job"/>; null when the lease does not match
    /// (the job moved on, so the report is stale and must change nothing).</summary>
    public FailureDecision? Decide(FailingJob job, Failure failure, DateTimeOffset now)
    {
        if (job.State != JobState.Running || job.Attempt != failure.Attempt) return null;
        // A heartbeat may have extended the lease after the expiry scan saw it; then the worker is alive.
        if (failure.Kind == FailureKind.LeaseExpired && job.LeaseExpiresAt > now) return null;

        if (failure.Kind == FailureKind.Released && !job.CancelRequested)
        {
            // Giving a job back is not a failed attempt: undo the attempt count, keep the history as it is, and forget
            // the start that did not count. The run_at stays, so the job takes back its place in line (it was first).
            return new FailureDecision(job.Id, JobState.Available, null, job.Attempt - 1, null, job.ErrorsJson ?? "[]", ClearStartedAt: true);
        }

        var errors = AppendError(job.ErrorsJson, new JobError(job.Attempt, now, Cut(failure.Message), failure.Details is null ? null : Cut(failure.Details)));
        if (job.CancelRequested)
            return new FailureDecision(job.Id, JobState.Cancelled, null, job.Attempt, now, errors);
        if (failure.Kind == FailureKind.Discard || job.Attempt >= job.MaxAttempts)
            return new FailureDecision(job.Id, JobState.Dead, null, job.Attempt, now, errors);
        if (failure.Kind == FailureKind.LeaseExpired)
            return new FailureDecision(job.Id, JobState.Available, now, job.Attempt, null, errors);
        return new FailureDecision(job.Id, JobState.Failed, now + retry.DelayAfter(job.Attempt), job.Attempt, null, errors);
    }

    /// <summary>Bounds error text and makes it storable everywhere: NUL characters (which PostgreSQL text and jsonb
    /// refuse) become U+FFFD, and a cut never splits a surrogate pair.</summary>
    private string Cut(string text)
    {
        if (text.Contains('\0')) text = text.Replace('\0', '\uFFFD');
        if (text.Length <= limits.MaxErrorTextLength) return text;
        var n = limits.MaxErrorTextLength;
        if (char.IsHighSurrogate(text[n - 1])) n--;
        return string.Concat(text.AsSpan(0, n), "… [cut]");
    }

    /// <summary>Appends to the stored history, keeping the newest <see cref="JobLimits.MaxErrorHistory"/> entries.</summary>
    internal string AppendError(string? errorsJson, JobError error)
    {
        var list = ErrorHistory.Parse(errorsJson);
        list.Add(error);
        if (list.Count > limits.MaxErrorHistory) list.RemoveRange(0, list.Count - limits.MaxErrorHistory);
        return ErrorHistory.Serialize(list);
    }
}

/// <summary>The error history's stored form: a JSON array of {attempt, at, message, details}.</summary>
public static class ErrorHistory
{
    public static List<JobError> Parse(string? json)
    {
        var list = new List<JobError>();
        if (string.IsNullOrEmpty(json)) return list;
        using var doc = JsonDocument.Parse(json);
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            list.Add(new JobError(
                e.GetProperty("attempt").GetInt32(),
                e.GetProperty("at").GetDateTimeOffset(),
                e.GetProperty("message").GetString() ?? "",
                e.TryGetProperty("details", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null));
        }
        return list;
    }

    public static string Serialize(IReadOnlyList<JobError> errors)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var e in errors)
            {
                w.WriteStartObject();
                w.WriteNumber("attempt", e.Attempt);
                w.WriteString("at", e.At);
                w.WriteString("message", e.Message);
                if (e.Details is not null) w.WriteString("details", e.Details);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
