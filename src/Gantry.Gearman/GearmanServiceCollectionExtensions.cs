using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gantry.Gearman;

/// <summary>Adds the Gearman front to a Gantry server (after <c>AddGantry</c>, which provides the engine).</summary>
public static class GearmanServiceCollectionExtensions
{
    public static IServiceCollection AddGantryGearman(this IServiceCollection services, IConfiguration gearmanSection)
    {
        services.AddOptions<GearmanOptions>().Bind(gearmanSection).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GearmanOptions>, Core.Options.SelfValidatingOptionsValidator<GearmanOptions>>();
        services.TryAddSingleton<GearmanJobServer>();
        services.AddSingleton<Core.Queues.IQueueCountsSource>(sp => sp.GetRequiredService<GearmanJobServer>());
        services.TryAddSingleton<DurableLane>();
        services.AddHostedService(sp => sp.GetRequiredService<DurableLane>());
        services.TryAddSingleton<GearmanAdmin>();
        services.TryAddSingleton<GearmanListener>();
        return services;
    }

    /// <summary>
    /// Binds the Gearman port in Kestrel with the Gearman connection handler, beside the HTTP endpoints. (Kestrel
    /// ignores <c>UseUrls</c> once any endpoint is configured in code, so the HTTP addresses are passed here too.)
    /// </summary>
    public static void ListenGearman(this KestrelServerOptions kestrel, IEnumerable<string> httpUrls, IPEndPoint gearman, GearmanListener listener)
    {
        var settings = new Dictionary<string, string?>();
        var i = 0;
        foreach (var url in httpUrls) settings[$"Endpoints:Http{i++}:Url"] = url;
        var host = gearman.Address.ToString();
        if (gearman.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) host = $"[{host}]";
        settings["Endpoints:Gearman:Url"] = $"http://{host}:{gearman.Port}";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        kestrel.Configure(configuration).Endpoint("Gearman", endpoint =>
        {
            listener.Options = endpoint.ListenOptions;
            endpoint.ListenOptions.UseConnectionHandler<GearmanConnectionHandler>();
        });
    }
}

/// <summary>Where the Gearman front listens once Kestrel bound it (the port is the OS's choice when configured as 0).</summary>
public sealed class GearmanListener
{
    internal ListenOptions? Options { get; set; }

    public IPEndPoint? EndPoint => Options?.IPEndPoint;

    public override string ToString() => EndPoint is { } ep
        ? (ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{ep.Address}]:{ep.Port}" : $"{ep.Address}:{ep.Port}")
        : "-";
}
