using System.Collections.Concurrent;
using Gantry.Client.Workers;

namespace Gantry.Server.Tests.Sdk;

public sealed record Numbers(int A, int B);

public sealed record Sum(int Total);

/// <summary>What the handlers of one test saw; registered as a singleton in that test's worker host.</summary>
public sealed class HandlerProbe
{
    private int _running;
    private int _maxRunning;

    public ConcurrentDictionary<long, int> Invocations { get; } = new();
    public ConcurrentQueue<(long Id, int Attempt)> Attempts { get; } = new();
    /// <summary>Completed with the job id when a handler starts.</summary>
    public TaskCompletionSource<long> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Completed with the job id when a handler's cancellation token fires.</summary>
    public TaskCompletionSource<long> TokenFired { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Handlers that wait on the gate go on one per release.</summary>
    public SemaphoreSlim Gate { get; } = new(0);

    public int Running => Volatile.Read(ref _running);
    public int MaxRunning => Volatile.Read(ref _maxRunning);
    public int TokensFired;

    public void Enter(JobContext job, CancellationToken ct)
    {
        Invocations.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
        Attempts.Enqueue((job.Id, job.Attempt));
        var now = Interlocked.Increment(ref _running);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen) { }
        ct.Register(() =>
        {
            Interlocked.Increment(ref TokensFired);
            TokenFired.TrySetResult(job.Id);
        });
        Started.TrySetResult(job.Id);
    }

    public void Leave() => Interlocked.Decrement(ref _running);
}

/// <summary>Adds two numbers: a typed payload in, a typed result out.</summary>
public sealed class AddHandler(HandlerProbe probe) : JobHandler<Numbers, Sum>
{
    protected override Task<Sum> HandleAsync(Numbers payload, JobContext job, CancellationToken cancellationToken)
    {
        probe.Enter(job, cancellationToken);
        probe.Leave();
        return Task.FromResult(new Sum(payload.A + payload.B));
    }
}

/// <summary>Throws on every attempt before <see cref="SucceedOnAttempt"/> (never, by default).</summary>
public sealed class FlakyHandler(HandlerProbe probe, FlakyHandler.Settings settings) : IJobHandler
{
    public sealed record Settings(int SucceedOnAttempt = int.MaxValue);

    public Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        probe.Enter(job, cancellationToken);
        probe.Leave();
        if (job.Attempt < settings.SucceedOnAttempt) throw new InvalidOperationException($"boom on attempt {job.Attempt}");
        return Task.FromResult(JobResult.Json(new Sum(job.Attempt)));
    }
}

/// <summary>Refuses every job for good.</summary>
public sealed class DiscardingHandler(HandlerProbe probe) : IJobHandler
{
    public Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        probe.Enter(job, cancellationToken);
        probe.Leave();
        throw new DiscardJobException("the invoice number does not exist");
    }
}

/// <summary>Waits on the probe's gate, giving up when its token fires.</summary>
public sealed class GatedHandler(HandlerProbe probe) : IJobHandler
{
    public async Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        probe.Enter(job, cancellationToken);
        try
        {
            await probe.Gate.WaitAsync(cancellationToken);
            return JobResult.Json(new Sum((int)job.Id));
        }
        finally
        {
            probe.Leave();
        }
    }
}

/// <summary>Waits on the probe's gate and ignores its token: a handler that does not cooperate with shutdown.</summary>
public sealed class StubbornHandler(HandlerProbe probe) : IJobHandler
{
    public async Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        probe.Enter(job, cancellationToken);
        try
        {
            await probe.Gate.WaitAsync(CancellationToken.None);
            return JobResult.Json("stubborn");
        }
        finally
        {
            probe.Leave();
        }
    }
}
