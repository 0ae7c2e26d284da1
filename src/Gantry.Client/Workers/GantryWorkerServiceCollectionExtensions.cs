using Gantry.Client.Workers;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Client;

/// <summary>Registers the worker host: <c>services.AddGantryWorker(o => …).AddHandler&lt;SendEmail&gt;("emails", concurrency: 4)</c>.</summary>
public static class GantryWorkerServiceCollectionExtensions
{
    public static GantryWorkerBuilder AddGantryWorker(this IServiceCollection services, Action<GantryWorkerOptions>? configure = null)
    {
        var options = services.AddOptions<GantryWorkerOptions>();
        if (configure is not null) options.Configure(configure);
        services.AddHostedService<GantryWorkerHost>();
        return new GantryWorkerBuilder(services);
    }
}

/// <summary>Adds handlers to the worker host.</summary>
public sealed class GantryWorkerBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>Works <paramref name="queue"/> with <typeparamref name="THandler"/>, <paramref name="concurrency"/> jobs at a time.</summary>
    public GantryWorkerBuilder AddHandler<THandler>(string queue, int concurrency = QueueRegistration.DefaultConcurrency)
        where THandler : class, IJobHandler
    {
        if (string.IsNullOrWhiteSpace(queue)) throw new ArgumentException("A queue name is required.", nameof(queue));
        if (concurrency < 1) throw new ArgumentOutOfRangeException(nameof(concurrency), concurrency, "Concurrency must be at least 1.");
        Services.AddScoped<THandler>();
        Services.Configure<GantryWorkerOptions>(o =>
        {
            if (o.Queues.Any(q => q.Queue == queue))
                throw new InvalidOperationException($"Queue '{queue}' already has a handler; register one handler per queue.");
            o.Queues.Add(new QueueRegistration(queue, typeof(THandler)) { Concurrency = concurrency });
        });
        return this;
    }
}
