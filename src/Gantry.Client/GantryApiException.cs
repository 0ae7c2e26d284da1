using System.Net;

namespace Gantry.Client;

/// <summary>The server refused a request; <see cref="Exception.Message"/> is its explanation (the problem+json detail).</summary>
public sealed class GantryApiException(HttpStatusCode status, string title, string detail, string? field)
    : Exception($"{detail} ({(int)status} {title})")
{
    public HttpStatusCode StatusCode { get; } = status;
    public string Title { get; } = title;
    public string Detail { get; } = detail;
    /// <summary>The request field at fault, when the server named one.</summary>
    public string? Field { get; } = field;
}

/// <summary>A job the caller waited for ended without success.</summary>
public sealed class JobFailedException(long jobId, string state, string? lastError)
    : Exception($"Job {jobId} ended {state}{(lastError is null ? "" : ": " + lastError)}")
{
    public long JobId { get; } = jobId;
    public string State { get; } = state;
    public string? LastError { get; } = lastError;
}
