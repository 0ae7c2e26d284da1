using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Gantry.Hosting.Settings;

/// <summary>Where a configuration key was set (a file, an environment variable, the command line), so that an error
/// about it tells the user what to edit.</summary>
internal sealed class ConfigurationOrigins(IConfiguration configuration)
{
    private readonly List<IConfigurationProvider> _providers = Flatten(configuration).ToList();

    /// <summary>" (in FILE)", " (set by the environment variable NAME)", " (on the command line)", or "" when unknown.</summary>
    public string Describe(IConfigurationSection section)
    {
        var key = FirstValue(section);
        if (key is null) return "";
        // The last provider that has the key is the one whose value wins.
        for (var i = _providers.Count - 1; i >= 0; i--)
        {
            var provider = _providers[i];
            if (!provider.TryGet(key, out _)) continue;
            return provider switch
            {
                FileConfigurationProvider file => $" (in {FullPath(file.Source)})",
                GantryEnvironmentVariables.Provider gantry => $" (set by the environment variable {gantry.VariableOf(key)})",
                EnvironmentVariablesConfigurationProvider => $" (set by the environment variable {key.Replace(":", "__")})",
                CommandLineConfigurationProvider => " (on the command line)",
                _ => "",
            };
        }
        return "";
    }

    /// <summary>The section's own key if it holds a value, else the first key with a value below it.</summary>
    private static string? FirstValue(IConfigurationSection section)
    {
        if (section.Value is not null) return section.Path;
        foreach (var child in section.GetChildren())
        {
            if (FirstValue(child) is { } key) return key;
        }
        return null;
    }

    private static string FullPath(FileConfigurationSource source)
    {
        var path = source.Path ?? "";
        return source.FileProvider?.GetFileInfo(path).PhysicalPath ?? path;
    }

    private static IEnumerable<IConfigurationProvider> Flatten(IConfiguration configuration)
    {
        if (configuration is not IConfigurationRoot root) yield break;
        foreach (var provider in root.Providers)
        {
            if (provider is ChainedConfigurationProvider chained)
            {
                foreach (var inner in Flatten(chained.Configuration)) yield return inner;
            }
            else
            {
                yield return provider;
            }
        }
    }
}
