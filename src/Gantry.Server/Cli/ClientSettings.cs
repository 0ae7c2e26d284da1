using System.CommandLine;
using Gantry.Client;

namespace Gantry.Server.Cli;

/// <summary>How the client verbs find the server: <c>--server</c> or <c>GANTRY_URL</c>, and <c>--token</c> or <c>GANTRY_TOKEN</c>.</summary>
internal static class ClientSettings
{
    public static readonly Option<string?> Server = new("--server")
    {
        Description = $"Server address [default: ${GantryClientOptions.ServerUrlVariable} or {GantryClientOptions.DefaultServerUrl}]",
        HelpName = "URL",
    };
    public static readonly Option<string?> Token = new("--token")
    {
        Description = $"API token, if the server requires one [default: ${GantryClientOptions.TokenVariable}]",
        HelpName = "TOKEN",
    };
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON instead of a table" };

    public static void AddTo(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Token);
    }

    public static GantryClient Client(ParseResult parse)
    {
        try
        {
            return new GantryClient(GantryClientOptions.FromEnvironment(parse.GetValue(Server), parse.GetValue(Token)));
        }
        catch (ArgumentException ex)
        {
            throw new CliException("--server: " + ex.Message);
        }
    }
}
