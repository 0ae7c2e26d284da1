using System.Text;
using Gantry.Client.Workers;

namespace Gantry.Workers.Tests;

/// <summary>A .NET handler that a pool loads from this test assembly by <c>handler:</c> and <c>assembly:</c>: it
/// answers with the payload reversed and the PID of the child that ran it. "fail" fails the job.</summary>
public sealed class ReverseHandler : IJobHandler
{
    public Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var text = Encoding.UTF8.GetString(job.Payload.Span);
        if (text == "fail") throw new InvalidOperationException("asked to fail");
        var reversed = new string(text.Reverse().ToArray());
        return Task.FromResult(JobResult.Raw(Encoding.UTF8.GetBytes($"{reversed} {Environment.ProcessId}")));
    }
}
