using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Gantry.Workers.Config;

/// <summary>
/// Reads values out of YAML nodes and records what is wrong with them, at the node's line and column, instead of
/// stopping at the first problem: one run of the loader tells the user everything to fix.
/// </summary>
internal sealed class YamlReader(string file)
{
    private readonly List<ConfigError> _errors = [];

    public string File { get; } = file;
    public IReadOnlyList<ConfigError> Errors => _errors;

    public void Error(YamlNode node, string message) =>
        _errors.Add(new ConfigError(File, (int)node.Start.Line, (int)node.Start.Column, message));

    public void Error(int line, int column, string message) => _errors.Add(new ConfigError(File, line, column, message));

    /// <summary>The mapping's entries by key; an unknown key is an error naming the ones that are allowed.</summary>
    public Dictionary<string, (YamlScalarNode Key, YamlNode Value)> Entries(YamlMappingNode map, string where, IReadOnlyCollection<string> known)
    {
        var entries = new Dictionary<string, (YamlScalarNode, YamlNode)>(StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key } scalar)
            {
                Error(keyNode, $"{where}: keys must be plain names.");
                continue;
            }
            if (!known.Contains(key))
            {
                Error(keyNode, $"{where}: unknown key '{key}' (known keys: {string.Join(", ", known)}).");
                continue;
            }
            if (!entries.TryAdd(key, (scalar, value))) Error(keyNode, $"{where}: '{key}' is given twice.");
        }
        return entries;
    }

    /// <summary>A non-empty scalar, or null (and an error) for anything else.</summary>
    public string? String(YamlNode node, string key)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } value } && !IsNull(node)) return value;
        Error(node, $"'{key}' must be a non-empty text value.");
        return null;
    }

    public int? Int(YamlNode node, string key, int min, int max)
    {
        if (node is YamlScalarNode { Value: { } text } && !IsNull(node)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        Error(node, $"'{key}' must be a whole number from {min} to {max}{Got(node)}.");
        return null;
    }

    public TimeSpan? Duration(YamlNode node, string key)
    {
        if (node is YamlScalarNode { Value: { } text } && !IsNull(node) && Durations.TryParse(text, out var value)) return value;
        Error(node, $"'{key}' must be {Durations.Expected}{Got(node)}.");
        return null;
    }

    /// <summary>A sequence of non-empty scalars; a single scalar counts as a list of one.</summary>
    public List<string>? Strings(YamlNode node, string key)
    {
        if (node is YamlScalarNode && String(node, key) is { } one) return [one];
        if (node is YamlScalarNode) return null;
        if (node is not YamlSequenceNode { Children.Count: > 0 } sequence)
        {
            Error(node, $"'{key}' must be a non-empty list.");
            return null;
        }
        var items = new List<string>();
        foreach (var item in sequence.Children)
            if (String(item, key + " item") is { } text) items.Add(text);
        return items.Count == sequence.Children.Count ? items : null;
    }

    public Dictionary<string, string>? StringMap(YamlNode node, string key)
    {
        if (node is not YamlMappingNode map)
        {
            Error(node, $"'{key}' must be a mapping of names to values.");
            return null;
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in map.Children)
        {
            if (name is not YamlScalarNode { Value: { Length: > 0 } n } || value is not YamlScalarNode v)
            {
                Error(name, $"'{key}' entries must be NAME: value.");
                continue;
            }
            if (!values.TryAdd(n, IsNull(v) ? "" : v.Value ?? "")) Error(name, $"'{key}' names '{n}' twice.");
        }
        return values;
    }

    /// <summary>A plain <c>~</c>, <c>null</c> or nothing at all is YAML's null, not text.</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string Got(YamlNode node) => node is YamlScalarNode { Value: { } v } && !IsNull(node) ? $", not '{v}'" : "";
}
