using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gantry.Stomp;

/// <summary>The STOMP front's services (Gantry.Hosting's <c>AddGantry</c> calls this when the front is on).</summary>
public static class StompServiceCollectionExtensions
{
    /// <param name="services">The server's services.</param>
    /// <param name="stompSection">The <c>Gantry:Stomp</c> section.</param>
    /// <param name="apiToken">The token a CONNECT must carry, or null when the server has none.</param>
    public static IServiceCollection AddGantryStomp(this IServiceCollection services, IConfiguration stompSection,
        Func<IServiceProvider, string?> apiToken)
    {
        services.AddOptions<StompOptions>().Bind(stompSection).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StompOptions>, Core.Options.SelfValidatingOptionsValidator<StompOptions>>();
        services.TryAddSingleton(sp => new StompCredentials(apiToken(sp)));
        services.TryAddSingleton<StompListener>();
        return services;
    }

    /// <summary>Makes a Kestrel endpoint a STOMP port: its connections go to the STOMP front, and the front learns where
    /// it listens.</summary>
    public static ListenOptions UseGantryStomp(this ListenOptions listen)
    {
        listen.ApplicationServices.GetRequiredService<StompListener>().Options = listen;
        listen.UseConnectionHandler<StompConnectionHandler>();
        return listen;
    }
}
