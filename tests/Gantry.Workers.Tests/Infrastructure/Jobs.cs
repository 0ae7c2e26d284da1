using System.Text;
using Gantry.Client;
using Gantry.Contracts;

namespace Gantry.Workers.Tests.Infrastructure;

/// <summary>Enqueueing and waiting through the SDK, the way an application would.</summary>
public static class Jobs
{
    /// <summary>A hang guard for a broken build, not a timing assertion.</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    public static async Task<long> EnqueueTextAsync(this GantryClient client, string queue, string text, EnqueueOptions? options = null) =>
        (await client.EnqueueBytesAsync(queue, Encoding.UTF8.GetBytes(text), options)).Id;

    /// <summary>Waits until the job is succeeded, dead or cancelled, and fails with the job's state when it is not.</summary>
    public static async Task<JobView> FinishedAsync(this GantryClient client, long id)
    {
        var job = await client.WaitAsync(id, WaitLimit);
        if (!job.Finished) throw new TimeoutException($"job {id} is still {job.State} (attempt {job.Attempt})");
        return job;
    }

    public static string ResultText(this JobView job) =>
        Encoding.UTF8.GetString(Payloads.FromWire(job.Result, job.ResultBase64, "result").Span);

    public static string Errors(this JobView job) => string.Join("\n", job.Errors.Select(e => $"#{e.Attempt}: {e.Message}"));
}
