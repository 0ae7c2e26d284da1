using System.Collections;
using Microsoft.Extensions.Configuration;

namespace Gantry.Hosting.Settings;

/// <summary>
/// The <c>gantry</c> executable's environment variables: <c>GANTRY_X__Y=v</c> is <c>Gantry:X:Y=v</c>
/// (<c>GANTRY_STORE</c>, <c>GANTRY_LIMITS__MAXPAYLOADBYTES</c>). The client's variables (<c>GANTRY_URL</c>,
/// <c>GANTRY_TOKEN</c>), those the worker manager gives a command worker (<c>GANTRY_JOB_ID</c>, …) and the test
/// suite's (<c>GANTRY_TEST_…</c>) are not server settings and are left out.
/// </summary>
public static class GantryEnvironmentVariables
{
    public const string Prefix = "GANTRY_";

    /// <summary>Adds the <c>GANTRY_…</c> variables of <paramref name="variables"/> (default: this process's environment).</summary>
    public static IConfigurationBuilder AddGantryEnvironmentVariables(this IConfigurationBuilder builder, IDictionary? variables = null) =>
        builder.Add(new Source(variables));

    /// <summary>The variable that sets <paramref name="key"/> (<c>Gantry:Limits:MaxPayloadBytes</c> →
    /// <c>GANTRY_LIMITS__MAXPAYLOADBYTES</c>).</summary>
    public static string VariableFor(string key)
    {
        var below = key.StartsWith(GantryHostingExtensions.SectionName + ":", StringComparison.OrdinalIgnoreCase)
            ? key[(GantryHostingExtensions.SectionName.Length + 1)..]
            : key;
        return Prefix + below.Replace(":", "__").ToUpperInvariant();
    }

    private static bool IsSetting(string name)
    {
        var key = name[Prefix.Length..];
        // Gantry__Data is ASP.NET Core's spelling of Gantry:Data, which the host's own environment source reads.
        return !(key.StartsWith('_') || key.Length == 0 || key.Equals("URL", StringComparison.OrdinalIgnoreCase) || key.Equals("TOKEN", StringComparison.OrdinalIgnoreCase) ||
                 key.StartsWith("TEST_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("JOB_", StringComparison.OrdinalIgnoreCase));
    }

    private sealed class Source(IDictionary? variables) : IConfigurationSource
    {
        public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(variables);
    }

    /// <summary>Its own provider type, so that a setting's error message can name the variable it came from.</summary>
    internal sealed class Provider(IDictionary? variables) : ConfigurationProvider
    {
        private readonly Dictionary<string, string> _variables = new(StringComparer.OrdinalIgnoreCase);

        public override void Load()
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in variables ?? Environment.GetEnvironmentVariables())
            {
                var name = (string)entry.Key;
                if (!name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || !IsSetting(name)) continue;
                var key = GantryHostingExtensions.SectionName + ":" + name[Prefix.Length..].Replace("__", ":");
                data[key] = (string?)entry.Value;
                _variables[key] = name;
            }
            Data = data;
        }

        /// <summary>The variable as the user wrote it.</summary>
        public string VariableOf(string key) => _variables.TryGetValue(key, out var name) ? name : VariableFor(key);
    }
}
