using System.Text.Json;
using Gantry.Contracts;

namespace Gantry.Client.Workers;

/// <summary>The job a handler is working on.</summary>
public sealed class JobContext
{
    /// <summary>A job as a handler sees it. The worker host makes these; so can a front that hands jobs to handlers
    /// another way (the worker manager's Gearman pools), and a unit test of a handler.</summary>
    public JobContext(LeasedJobView job, JsonSerializerOptions? payloadOptions = null)
    {
        payloadOptions ??= PayloadJson.Default;
        Job = job;
        PayloadOptions = payloadOptions;
        Payload = Payloads.FromWire(job.Payload, job.PayloadBase64, "payload");
    }

    /// <summary>Everything the server said about the leased job.</summary>
    public LeasedJobView Job { get; }

    public long Id => Job.Id;
    public string Queue => Job.Queue;
    /// <summary>1 on the first try; the job's error history holds earlier attempts' errors.</summary>
    public int Attempt => Job.Attempt;
    public int MaxAttempts => Job.MaxAttempts;
    public ReadOnlyMemory<byte> Payload { get; }
    public JsonSerializerOptions PayloadOptions { get; }

    public T? GetPayload<T>()
    {
        try
        {
            return Payload.IsEmpty ? default : JsonSerializer.Deserialize<T>(Payload.Span, PayloadOptions);
        }
        catch (JsonException ex)
        {
            // A payload that does not fit the handler's type will not fit on the next attempt either.
            throw new DiscardJobException($"The payload is not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}
