using Gantry.Client.Workers;
using Gantry.Workers.Config;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Workers.Child;

/// <summary>The type of a pool's .NET handler, once loaded in the child.</summary>
internal sealed record UserHandlerType(Type Type);

/// <summary>
/// The one handler the child registers for each of its pool's queues: it runs the pool's command, URL or .NET handler
/// under the pool's <c>timeout</c>. A job that runs out of time fails (and is retried) with a message saying so; the
/// handler's token fires, which for a command kills its process tree.
/// </summary>
internal sealed class PoolJobHandler(IServiceProvider services, PoolConfig pool) : IJobHandler
{
    public async Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        var inner = pool.Kind switch
        {
            HandlerKind.Command => services.GetRequiredService<CommandJobHandler>(),
            HandlerKind.Url => services.GetRequiredService<HttpJobHandler>(),
            _ => (IJobHandler)services.GetRequiredService(services.GetRequiredService<UserHandlerType>().Type),
        };
        if (pool.Timeout <= TimeSpan.Zero) return await inner.HandleAsync(job, cancellationToken).ConfigureAwait(false);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(pool.Timeout);
        try
        {
            return await inner.HandleAsync(job, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the job timed out after {Durations.Format(pool.Timeout)} (pool {pool.Name}'s timeout)");
        }
    }
}
