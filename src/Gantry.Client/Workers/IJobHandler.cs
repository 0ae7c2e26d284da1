using System.Text.Json;

namespace Gantry.Client.Workers;

/// <summary>
/// Works one job. Return normally for success (with a result, or <see cref="JobResult.None"/>); throw to fail
/// (retried with backoff); throw <see cref="DiscardJobException"/> when retrying cannot help. Watch the token:
/// it fires when the job is cancelled, its lease is lost, or the worker is shutting down past its grace period.
/// A handler is resolved from a fresh DI scope per job.
/// </summary>
public interface IJobHandler
{
    Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken);
}

/// <summary>A handler for JSON payloads of type <typeparamref name="TPayload"/> that produces no result.</summary>
public abstract class JobHandler<TPayload> : IJobHandler
{
    async Task<JobResult> IJobHandler.HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        await HandleAsync(job.GetPayload<TPayload>()!, job, cancellationToken).ConfigureAwait(false);
        return JobResult.None;
    }

    protected abstract Task HandleAsync(TPayload payload, JobContext job, CancellationToken cancellationToken);
}

/// <summary>A handler for JSON payloads of type <typeparamref name="TPayload"/> with a JSON result of type <typeparamref name="TResult"/>.</summary>
public abstract class JobHandler<TPayload, TResult> : IJobHandler
{
    async Task<JobResult> IJobHandler.HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var result = await HandleAsync(job.GetPayload<TPayload>()!, job, cancellationToken).ConfigureAwait(false);
        return JobResult.Json(result, job.PayloadOptions);
    }

    protected abstract Task<TResult> HandleAsync(TPayload payload, JobContext job, CancellationToken cancellationToken);
}

/// <summary>What a handler produced: raw bytes, stored as the job's result.</summary>
public readonly struct JobResult
{
    private JobResult(ReadOnlyMemory<byte>? bytes) => Bytes = bytes;

    public ReadOnlyMemory<byte>? Bytes { get; }

    public static JobResult None => default;

    public static JobResult Raw(ReadOnlyMemory<byte> bytes) => new(bytes);

    public static JobResult Json<T>(T value, JsonSerializerOptions? options = null) =>
        new(JsonSerializer.SerializeToUtf8Bytes(value, options ?? PayloadJson.Default));
}

/// <summary>Throw from a handler when the job can never succeed (bad input, say): it goes straight to dead.</summary>
public sealed class DiscardJobException(string message, Exception? inner = null) : Exception(message, inner);
