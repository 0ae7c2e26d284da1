using System.CommandLine;
using Gantry.Hosting.Settings;
using Microsoft.Extensions.Configuration;

namespace Gantry.Server.Cli;

/// <summary>
/// Where the server's configuration comes from, lowest precedence first: built-in defaults, <c>appsettings.json</c>
/// in the working directory, the file given with <c>--config</c>, <c>GANTRY_*</c> environment variables
/// (<c>GANTRY_STORE</c> is <c>Gantry:Store</c>; <c>__</c> nests: <c>GANTRY_LIMITS__MAXPAYLOADBYTES</c>), and the
/// command-line options.
/// </summary>
internal static class ServerSettings
{
    public static readonly Option<string?> Data = new("--data") { Description = "Data folder for the embedded SQLite store [default: ./gantry-data]", HelpName = "DIR" };
    public static readonly Option<string?> Store = new("--store") { Description = "PostgreSQL connection string (Host=…;Database=…;Username=… or postgres://…); omit for SQLite", HelpName = "CONNECTION_STRING" };
    public static readonly Option<string?> Urls = new("--urls") { Description = $"Where the HTTP API listens [default: {Contracts.GantryPorts.DefaultUrl}]", HelpName = "URLS" };
    public static readonly Option<string?> Gearman = new("--gearman") { Description = $"Where the Gearman protocol listens, HOST:PORT, or off [default: {Protocol.Gearman.GearmanPorts.DefaultLoopback}]", HelpName = "HOST:PORT" };
    public static readonly Option<string?> Stomp = new("--stomp") { Description = $"Where the STOMP protocol listens, HOST:PORT, or off [default: {Gantry.Stomp.StompOptions.DefaultListen}]", HelpName = "HOST:PORT" };
    public static readonly Option<FileInfo?> ConfigFile = new("--config") { Description = "A JSON settings file (same shape as appsettings.json)", HelpName = "FILE" };

    /// <summary>The options that say where the store is and where settings come from: every verb that opens the store.</summary>
    public static void AddStoreOptionsTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(Store);
        command.Options.Add(ConfigFile);
    }

    /// <summary>Those, and where the server listens: <c>gantry server</c>.</summary>
    public static void AddTo(Command command)
    {
        AddStoreOptionsTo(command);
        command.Options.Add(Urls);
        command.Options.Add(Gearman);
        command.Options.Add(Stomp);
    }

    public static IConfigurationRoot Build(ParseResult parse)
    {
        var builder = new ConfigurationBuilder();
        builder.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true, reloadOnChange: false);
        if (parse.GetValue(ConfigFile) is { } file)
        {
            if (!file.Exists) throw new CliException($"--config: the file {file.FullName} does not exist.");
            builder.AddJsonFile(file.FullName, optional: false, reloadOnChange: false);
        }
        builder.AddGantryEnvironmentVariables();
        var overrides = new Dictionary<string, string?>();
        // Options a verb does not have are never set: parse.GetValue would throw for them.
        var options = parse.CommandResult.Command.Options;
        if (parse.GetValue(Data) is { } data) overrides["Gantry:Data"] = data;
        if (parse.GetValue(Store) is { } store) overrides["Gantry:Store"] = store;
        if (options.Contains(Urls) && parse.GetValue(Urls) is { } urls) overrides["Gantry:Urls"] = urls;
        if (options.Contains(Gearman) && parse.GetValue(Gearman) is { } gearman) overrides["Gantry:Gearman:Listen"] = gearman;
        if (options.Contains(Stomp) && parse.GetValue(Stomp) is { } stomp) overrides["Gantry:Stomp:Listen"] = stomp;
        builder.AddInMemoryCollection(overrides);
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException ex)
        {
            throw new CliException(SettingsFiles.Unreadable(ex));
        }
    }
}

/// <summary>A failure told in one line, without a stack trace; by default a mistake in how the command was called.</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Usage) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
