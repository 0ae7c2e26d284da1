using System.CommandLine;
using Gantry.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Cli;

/// <summary><c>gantry server</c>: runs the server until Ctrl-C or SIGTERM, then shuts down gracefully.</summary>
internal static class ServerCommand
{
    public static Command Create()
    {
        var command = new Command("server", "Run a Gantry server (embedded SQLite store unless --store names a PostgreSQL database).");
        ServerSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            var app = GantryServerApp.Build(ServerSettings.Build(parse));
            await using (app)
            {
                await app.StartAsync(ct);
                Console.WriteLine(GantryServerApp.Describe(app));
                if (GantryServerApp.Gearman(app) is { EndPoint: not null } gearman) Console.WriteLine($"Gearman listening on {gearman}");
                WarnIfExposed(app);
                await app.WaitForShutdownAsync(CancellationToken.None);
            }
            return 0;
        }));
        return command;
    }

    private static void WarnIfExposed(WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<GantryServerOptions>>().Value;
        if (!string.IsNullOrEmpty(options.Http.ApiToken)) return;
        var exposed = GantryServerApp.Addresses(app).Where(GantryServerApp.IsBeyondLoopback).ToList();
        if (exposed.Count > 0)
            app.Logger.LogWarning("Listening beyond loopback ({Addresses}) without an API token: anyone who can reach it can enqueue and " +
                                  "fetch jobs. Set Gantry:Http:ApiToken (GANTRY_HTTP__APITOKEN).", string.Join(", ", exposed));
    }
}

/// <summary><c>gantry migrate</c>: applies the store's schema migrations and exits.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply the store's schema migrations and exit (the server also applies them at start).");
        ServerSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            await GantryServerApp.MigrateAsync(ServerSettings.Build(parse), ct);
            Console.WriteLine("Store is migrated.");
            return 0;
        }));
        return command;
    }
}
