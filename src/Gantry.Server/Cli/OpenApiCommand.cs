using System.CommandLine;
using Gantry.Http.OpenApi;

namespace Gantry.Server.Cli;

/// <summary>
/// <c>gantry openapi</c>: writes the HTTP API's OpenAPI document, the one a server serves at <c>/openapi/v1.json</c>,
/// without running a server (no store is opened, no port bound), so a build can generate a client from it.
/// </summary>
internal static class OpenApiCommand
{
    private static readonly Option<FileInfo?> Output = new("--output", "-o") { Description = "Write the document to FILE instead of standard output", HelpName = "FILE" };

    public static Command Create()
    {
        var command = new Command("openapi",
            $"Print the HTTP API's OpenAPI document (what a server serves at {GantryOpenApi.Path}) without starting a server. " +
            "With an API token configured (--config, GANTRY_HTTP__APITOKEN), the /api operations require the bearer token.");
        command.Options.Add(ServerSettings.ConfigFile);
        command.Options.Add(Output);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            var configuration = ServerSettings.Build(parse);
            if (parse.GetValue(Output) is { } file)
            {
                StreamWriter writer;
                try
                {
                    file.Directory?.Create();
                    writer = new StreamWriter(file.FullName, append: false, new System.Text.UTF8Encoding(false));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new CliException($"--output: cannot write {file.FullName}: {ex.Message}", 1);
                }
                await using (writer) await GantryServerApp.WriteOpenApiAsync(configuration, writer, ct);
            }
            else
            {
                await GantryServerApp.WriteOpenApiAsync(configuration, Console.Out, ct);
                Console.Out.WriteLine();
            }
            return 0;
        }));
        return command;
    }
}
