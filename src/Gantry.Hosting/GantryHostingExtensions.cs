using Gantry.Core.Stats;
using Gantry.Gearman;
using Gantry.Http;
using Gantry.Stomp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gantry.Hosting;

/// <summary>
/// The one place a Gantry server is composed: the engine and its store, and every front (the HTTP API, Gearman, STOMP,
/// and the protocols to come) with their options and listeners. The <c>gantry</c> executable is a thin shell over these
/// two calls, and an ASP.NET Core application hosts the same server in-process with them:
/// <code>
/// var builder = WebApplication.CreateBuilder(args);
/// builder.AddGantry();        // settings from the "Gantry" section
/// var app = builder.Build();
/// app.MapGantry();
/// app.Run();
/// </code>
/// </summary>
public static class GantryHostingExtensions
{
    /// <summary>The configuration section every Gantry setting lives in.</summary>
    public const string SectionName = "Gantry";

    /// <summary>Registers the engine, the configured store and every front that is on, and their listeners.</summary>
    public static WebApplicationBuilder AddGantry(this WebApplicationBuilder builder)
    {
        var gantry = builder.Configuration.GetSection(SectionName);
        builder.Services.AddGantryEngine(gantry);
        // The fronts bind their own sections; the settings check goes first there too.
        builder.Services.AddOptions<GantryHttpOptions>().CheckedFirst();
        builder.Services.AddGantryHttpApi(gantry.GetSection("Http"));
        if (GantryListeners.GearmanEnabled(gantry.GetSection("Gearman")))
        {
            builder.Services.AddOptions<GearmanOptions>().CheckedFirst();
            builder.Services.AddGantryGearman(gantry.GetSection("Gearman"));
        }
        if (GantryListeners.StompEnabled(gantry.GetSection("Stomp")))
        {
            builder.Services.AddOptions<StompOptions>().CheckedFirst();
            // One token guards every front: a CONNECT carries the HTTP API's.
            builder.Services.AddGantryStomp(gantry.GetSection("Stomp"),
                sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<GantryHttpOptions>>().Value.ApiToken);
        }
        builder.Services.AddSingleton<GantryEndpoints>();
        builder.WebHost.ConfigureKestrel((context, kestrel) => GantryListeners.Configure(kestrel, context.Configuration, gantry));
        // One console line per job costs more than the job at tens of thousands a second: the job log reaches the
        // logs only when asked for (Logging:LogLevel:Gantry.JobLog=Information); its statistics and metrics always run.
        if (builder.Configuration[$"Logging:LogLevel:{JobLog.Category}"] is null)
            builder.Logging.AddFilter(JobLog.Category, LogLevel.Warning);
        return builder;
    }

    /// <summary>Adds the HTTP API's middleware and maps its endpoints (<c>/api</c>, <c>/health</c>, <c>/metrics</c>,
    /// <c>/openapi/v1.json</c>).</summary>
    public static WebApplication MapGantry(this WebApplication app)
    {
        app.UseGantryHttpApi();
        app.MapGantryHttpApi();
        return app;
    }
}
