using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Gantry.Contracts;

/// <summary><c>POST /api/jobs</c>, and one element of <c>POST /api/jobs/batch</c>. Durations are in seconds.</summary>
/// <remarks>In the request shapes, <see cref="RequiredAttribute"/> marks what the server refuses a request without; the
/// OpenAPI document lists those fields as required. The serializer does not enforce it: the server's own checks do, with
/// messages in the API's terms.</remarks>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class EnqueueJobRequest
{
    [Required]
    public string? Queue { get; set; }
    /// <summary>Any JSON value. Exclusive with <c>payload_base64</c>.</summary>
    public RawJson? Payload { get; set; }
    /// <summary>Binary payload, base64. Exclusive with <c>payload</c>.</summary>
    public string? PayloadBase64 { get; set; }
    public DateTimeOffset? RunAt { get; set; }
    public double? Delay { get; set; }
    public int? Priority { get; set; }
    public string? UniqueKey { get; set; }
    public int? MaxAttempts { get; set; }
    public double? Timeout { get; set; }
}

/// <summary><c>POST /api/jobs/batch</c>: all jobs are stored in one transaction, or none is.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class EnqueueBatchRequest
{
    [Required]
    public List<EnqueueJobRequest>? Jobs { get; set; }
}

/// <summary>What enqueueing produced for one job.</summary>
public sealed class EnqueuedJob
{
    public long Id { get; set; }
    public string State { get; set; } = "";
    /// <summary>True when a live job already held the unique key: <c>id</c> is that job.</summary>
    public bool Existing { get; set; }
}

public sealed class EnqueueBatchResponse
{
    public List<EnqueuedJob> Jobs { get; set; } = [];
}

/// <summary><c>POST /api/queues/{queue}/fetch</c>: lease up to <c>max</c> jobs, waiting up to <c>wait</c> seconds for the first.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class FetchRequest
{
    public int? Max { get; set; }
    public double? Wait { get; set; }
}

public sealed class FetchResponse
{
    public List<LeasedJobView> Jobs { get; set; } = [];
}

/// <summary>A leased job as a worker receives it; quote <c>id</c> and <c>attempt</c> in every report.</summary>
public sealed class LeasedJobView
{
    public long Id { get; set; }
    public string Queue { get; set; } = "";
    public int Attempt { get; set; }
    public int MaxAttempts { get; set; }
    public int Priority { get; set; }
    public RawJson? Payload { get; set; }
    public string? PayloadBase64 { get; set; }
    public string? UniqueKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset RunAt { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LeaseExpiresAt { get; set; }
    /// <summary>Lease length in seconds; heartbeat well within it.</summary>
    public double Timeout { get; set; }
}

/// <summary>Names one lease: the job and the attempt it was leased for.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class LeaseItem
{
    /// <summary>The job; in <c>/api/jobs/{id}/…</c> it may be left out (the URL names the job).</summary>
    [Required]
    public long Id { get; set; }
    /// <summary>The attempt the job was leased for (the fetched job's <c>attempt</c>).</summary>
    [Required]
    public int Attempt { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class LeasesRequest
{
    [Required]
    public List<LeaseItem>? Leases { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class CompletionItem
{
    /// <summary>The job; in <c>/api/jobs/{id}/…</c> it may be left out (the URL names the job).</summary>
    [Required]
    public long Id { get; set; }
    /// <summary>The attempt the job was leased for (the fetched job's <c>attempt</c>).</summary>
    [Required]
    public int Attempt { get; set; }
    public RawJson? Result { get; set; }
    public string? ResultBase64 { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class CompleteRequest
{
    [Required]
    public List<CompletionItem>? Completions { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class FailureItem
{
    /// <summary>The job; in <c>/api/jobs/{id}/…</c> it may be left out (the URL names the job).</summary>
    [Required]
    public long Id { get; set; }
    /// <summary>The attempt the job was leased for (the fetched job's <c>attempt</c>).</summary>
    [Required]
    public int Attempt { get; set; }
    public string? Error { get; set; }
    public string? Details { get; set; }
    /// <summary>False: retrying cannot help, the job goes to dead at once. Defaults to true.</summary>
    public bool? Retry { get; set; }
}

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class FailRequest
{
    [Required]
    public List<FailureItem>? Failures { get; set; }
}

/// <summary>The outcome for one lease in a batch call: <c>ok</c>, <c>lost</c> or <c>cancel_requested</c>.</summary>
public sealed class LeaseOutcome
{
    public long Id { get; set; }
    public string Status { get; set; } = "";
    /// <summary>Heartbeat: the new lease end. Fail: unset.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }
    /// <summary>Fail: the job's new state.</summary>
    public string? State { get; set; }
    /// <summary>Fail: when the retry is due.</summary>
    public DateTimeOffset? RunAt { get; set; }
}

public sealed class LeaseOutcomes
{
    public List<LeaseOutcome> Results { get; set; } = [];
}

/// <summary><c>PUT /api/queues/{queue}</c>: the queue's settings; a field left out stays as it is. Creates the queue.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class QueueSettingsRequest
{
    /// <summary><c>memory</c> (fastest; jobs are lost when the server stops) or <c>durable</c> (in the store).</summary>
    public string? Lane { get; set; }
    public bool? Paused { get; set; }
}
