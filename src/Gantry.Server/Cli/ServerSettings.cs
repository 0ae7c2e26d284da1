using System.Collections;
using System.CommandLine;
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
    public const string EnvironmentPrefix = "GANTRY_";

    public static readonly Option<string?> Data = new("--data") { Description = "Data folder for the embedded SQLite store [default: ./gantry-data]", HelpName = "DIR" };
    public static readonly Option<string?> Store = new("--store") { Description = "PostgreSQL connection string (Host=…;Database=…;Username=… or postgres://…); omit for SQLite", HelpName = "CONNECTION_STRING" };
    public static readonly Option<string?> Urls = new("--urls") { Description = $"Where the HTTP API listens [default: {Contracts.GantryPorts.DefaultUrl}]", HelpName = "URLS" };
    public static readonly Option<string?> Gearman = new("--gearman") { Description = $"Where the Gearman protocol listens, HOST:PORT, or off [default: {Protocol.Gearman.GearmanPorts.DefaultLoopback}]", HelpName = "HOST:PORT" };
    public static readonly Option<FileInfo?> ConfigFile = new("--config") { Description = "A JSON settings file (same shape as appsettings.json)", HelpName = "FILE" };

    public static void AddTo(Command command)
    {
        command.Options.Add(Data);
        command.Options.Add(Store);
        command.Options.Add(Urls);
        command.Options.Add(Gearman);
        command.Options.Add(ConfigFile);
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
        builder.AddInMemoryCollection(FromEnvironment(Environment.GetEnvironmentVariables()));
        var overrides = new Dictionary<string, string?>();
        if (parse.GetValue(Data) is { } data) overrides["Gantry:Data"] = data;
        if (parse.GetValue(Store) is { } store) overrides["Gantry:Store"] = store;
        if (parse.GetValue(Urls) is { } urls) overrides["Gantry:Urls"] = urls;
        if (parse.GetValue(Gearman) is { } gearman) overrides["Gantry:Gearman:Listen"] = gearman;
        builder.AddInMemoryCollection(overrides);
        return builder.Build();
    }

    /// <summary><c>GANTRY_X__Y=v</c> becomes <c>Gantry:X:Y=v</c>. The client variables (GANTRY_URL, GANTRY_TOKEN) are not server settings.</summary>
    internal static Dictionary<string, string?> FromEnvironment(IDictionary variables)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in variables)
        {
            var name = (string)entry.Key;
            if (!name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)) continue;
            var key = name[EnvironmentPrefix.Length..];
            if (key.Equals("URL", StringComparison.OrdinalIgnoreCase) || key.Equals("TOKEN", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("TEST_", StringComparison.OrdinalIgnoreCase)) continue;
            values["Gantry:" + key.Replace("__", ":")] = (string?)entry.Value;
        }
        return values;
    }
}

/// <summary>A mistake in how the command was called; printed without a stack trace.</summary>
internal sealed class CliException(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
