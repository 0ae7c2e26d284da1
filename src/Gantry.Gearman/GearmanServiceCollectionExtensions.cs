using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gantry.Gearman;

/// <summary>The Gearman front's services (Gantry.Hosting's <c>AddGantry</c> calls this when the front is on).</summary>
public static class GearmanServiceCollectionExtensions
{
    public static IServiceCollection AddGantryGearman(this IServiceCollection services, IConfiguration gearmanSection)
    {
        services.AddOptions<GearmanOptions>().Bind(gearmanSection).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GearmanOptions>, Core.Options.SelfValidatingOptionsValidator<GearmanOptions>>();
        services.TryAddSingleton<GearmanJobServer>();
        services.AddSingleton<Core.Stats.IQueueWorkers>(sp => sp.GetRequiredService<GearmanJobServer>());
        services.TryAddSingleton<DurableLane>();
        services.AddHostedService(sp => sp.GetRequiredService<DurableLane>());
        services.TryAddSingleton<GearmanAdmin>();
        services.TryAddSingleton<GearmanReadGuard>();
        services.TryAddSingleton<GearmanListener>();
        return services;
    }

    /// <summary>Makes a Kestrel endpoint a Gearman port: its connections go to the Gearman front, and the front learns
    /// where it listens (the port is the OS's choice when configured as 0).</summary>
    public static ListenOptions UseGantryGearman(this ListenOptions listen)
    {
        listen.ApplicationServices.GetRequiredService<GearmanListener>().Options = listen;
        listen.UseConnectionHandler<GearmanConnectionHandler>();
        return listen;
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
