using System.ComponentModel;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Gantry.Hosting.Settings;

/// <summary>
/// Checks the whole <c>Gantry</c> section, from every configuration source at once, before any options type is bound:
/// a key no options type has (a typo such as <c>Gantry:Limitz</c>), a retired key, and a value its setting cannot
/// take (<c>abc</c> for a number) each become one line naming the key, where it was set and what would be accepted.
/// </summary>
/// <remarks>Binding would otherwise ignore the first two silently and fail on the third with a .NET type name. The
/// composition runs this first in the configuration of every options type it binds, so whichever is resolved first
/// reports every problem (as an <see cref="OptionsValidationException"/>, as other invalid settings are).</remarks>
internal sealed class GantrySettingsCheck(IConfiguration section, IConfiguration? root)
{
    private readonly Lazy<IReadOnlyList<string>> _problems = new(() => Find(section, root));

    public IReadOnlyList<string> Problems => _problems.Value;

    public void ThrowIfInvalid()
    {
        if (Problems.Count > 0) throw new OptionsValidationException(Options.DefaultName, typeof(GantryServerOptions), Problems);
    }

    internal static IReadOnlyList<string> Find(IConfiguration section, IConfiguration? root)
    {
        var problems = new List<string>();
        var prefix = section is IConfigurationSection s ? s.Path : GantryHostingExtensions.SectionName;
        var origins = new ConfigurationOrigins(root ?? section);
        Walk(section, prefix, "", GantrySettingsSchema.Root, inEntry: false, origins, problems);
        return problems;
    }

    private static void Walk(IConfiguration section, string prefix, string relative, SettingNode node, bool inEntry,
        ConfigurationOrigins origins, List<string> problems)
    {
        foreach (var child in section.GetChildren())
        {
            var path = relative.Length == 0 ? child.Key : relative + ":" + child.Key;
            if (GantrySettingsSchema.Retired.TryGetValue(path, out var retired))
            {
                var spelled = GantrySettingsSchema.Retired.Keys.First(k => k.Equals(path, StringComparison.OrdinalIgnoreCase));
                problems.Add($"{prefix}:{spelled}{origins.Describe(child)} is no longer a setting: use {prefix}:{retired.Replacement} ({retired.Why}).");
                continue;
            }
            var known = node.AnyName ?? node.Children.GetValueOrDefault(child.Key);
            // Keys in messages as the settings spell them (an environment variable's come upper-cased).
            if (known?.Name is { } name) path = relative.Length == 0 ? name : relative + ":" + name;
            var full = prefix + ":" + path;
            if (known is null)
            {
                var suggestion = Suggest(child.Key, relative, node, inEntry);
                problems.Add($"{full}{origins.Describe(child)} is not a Gantry setting" +
                             (suggestion is null ? "." : $"; did you mean {prefix}:{suggestion}?"));
                continue;
            }
            if (known.ValueType is { } type)
            {
                if (child.GetChildren().FirstOrDefault() is { } below)
                    problems.Add($"{full}:{below.Key}{origins.Describe(below)} is not a Gantry setting: {full} is a single value.");
                else if (ValueProblem(type, child.Value) is { } expected)
                    problems.Add($"{full}{origins.Describe(child)} must be {expected} (got '{Shorten(child.Value!)}').");
                continue;
            }
            if (!string.IsNullOrEmpty(child.Value) && !child.GetChildren().Any())
            {
                problems.Add($"{full}{origins.Describe(child)} is a section of settings ({full}:…), not a value (got '{Shorten(child.Value)}').");
                continue;
            }
            Walk(child, prefix, path, known, inEntry || node.AnyName is not null, origins, problems);
        }
    }

    /// <summary>What <paramref name="type"/> accepts, when <paramref name="value"/> is not that; null when it converts
    /// (as the configuration binder converts it: the type's converter, invariant culture).</summary>
    internal static string? ValueProblem(Type type, string? value)
    {
        // The binder leaves a setting at its default for an empty value (an empty variable, a JSON null).
        if (string.IsNullOrEmpty(value)) return null;
        var nullable = Nullable.GetUnderlyingType(type);
        var t = nullable ?? type;
        if (t == typeof(string)) return null;
        try
        {
            var converted = TypeDescriptor.GetConverter(t).ConvertFromInvariantString(value);
            if (t.IsEnum && (converted is null || !Enum.IsDefined(t, converted))) return Expected(t);
            return converted is null && nullable is null ? Expected(t) : null;
        }
        catch (Exception) // converters throw what they like (ArgumentException, FormatException, OverflowException…)
        {
            return Expected(t);
        }
    }

    private static string Expected(Type t)
    {
        if (t.IsEnum) return "one of " + string.Join(", ", Enum.GetNames(t).Select(n => n.ToLowerInvariant()));
        if (t == typeof(bool)) return "true or false";
        if (t == typeof(TimeSpan)) return "a duration written [days.]hours:minutes:seconds, such as 00:00:30 for 30 seconds or 7.00:00:00 for 7 days";
        if (t == typeof(double) || t == typeof(float) || t == typeof(decimal)) return "a number, such as 0.5";
        if (t == typeof(int)) return $"a whole number from {int.MinValue} to {int.MaxValue}";
        if (t == typeof(long)) return $"a whole number from {long.MinValue} to {long.MaxValue}";
        if (t == typeof(short) || t == typeof(byte) || t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort) || t == typeof(sbyte))
            return "a whole number";
        return "a valid value";
    }

    /// <summary>The known key closest to a misspelled one: a sibling a typo or two away, else (outside a named entry
    /// such as a queue's, whose keys are its own) a key of that name elsewhere (<c>Gantry:MaxPayloadBytes</c> →
    /// <c>Gantry:Limits:MaxPayloadBytes</c>).</summary>
    private static string? Suggest(string key, string relative, SettingNode node, bool inEntry)
    {
        string Under(string name) => relative.Length == 0 ? name : relative + ":" + name;
        var sibling = Closest(key, node.Children.Values.Select(c => c.Name ?? ""));
        if (sibling is not null) return Under(sibling);
        if (inEntry) return null;
        var elsewhere = GantrySettingsSchema.Paths(GantrySettingsSchema.Root).ToList();
        var names = elsewhere.Select(p => p[(p.LastIndexOf(':') + 1)..]).ToList();
        return Closest(key, names) is { } name ? elsewhere[names.IndexOf(name)] : null;
    }

    private static string? Closest(string key, IEnumerable<string> candidates)
    {
        var limit = Math.Max(1, Math.Min(3, key.Length / 3));
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var (a, b) = (key.ToLowerInvariant(), candidate.ToLowerInvariant());
            var d = Distance(a, b);
            // A key cut short or run on (Retry for Retries) is as close as one typo.
            if (Math.Min(a.Length, b.Length) >= 4 && (a.StartsWith(b, StringComparison.Ordinal) || b.StartsWith(a, StringComparison.Ordinal))) d = Math.Min(d, 1);
            if (d <= limit && d < bestDistance) (best, bestDistance) = (candidate, d);
        }
        return best;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
