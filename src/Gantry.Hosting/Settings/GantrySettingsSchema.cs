using System.Collections;
using System.ComponentModel;
using System.Reflection;
using Gantry.Core.Options;
using Gantry.Core.Stats;
using Gantry.Gearman;
using Gantry.Http;
using Gantry.Stomp;
using Gantry.Storage.Postgres;
using Gantry.Storage.Sqlite;

namespace Gantry.Hosting.Settings;

/// <summary>
/// Every key the <c>Gantry</c> section may hold, read by reflection from the options types the composition binds to it,
/// so a property added to an options class is a known key the day it is added and a misspelled key is refused instead
/// of ignored. Only the sections and retired keys are listed by hand here; the keys come from the types.
/// </summary>
internal static class GantrySettingsSchema
{
    /// <summary>Each options type and the section (under <c>Gantry</c>) it is bound to: AddGantryEngine,
    /// AddGantryHttpApi, AddGantryGearman and AddGantryStomp bind these. A test holds this table to those registrations.</summary>
    public static readonly IReadOnlyList<(string Section, Type Options)> Bound =
    [
        ("", typeof(GantryServerOptions)),
        ("", typeof(GantryEngineOptions)),
        ("Sqlite", typeof(SqliteStoreOptions)),
        ("Postgres", typeof(PostgresStoreOptions)),
        ("Stats", typeof(StatsOptions)),
        ("Http", typeof(GantryHttpOptions)),
        ("Gearman", typeof(GearmanOptions)),
        ("Stomp", typeof(StompOptions)),
    ];

    /// <summary>Keys that were settings once, or that the binder reaches but the composition overwrites, with the key
    /// to use instead: a configuration file written for an older Gantry is told where its setting went.</summary>
    public static readonly IReadOnlyDictionary<string, (string Replacement, string Why)> Retired =
        new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase)
        {
            ["Gearman:RetryBaseDelay"] = ("Retry:BaseDelay", "one backoff for the jobs of every front"),
            ["Gearman:RetryMaxDelay"] = ("Retry:MaxDelay", "one backoff for the jobs of every front"),
            ["Gearman:MaxMemoryJobs"] = ("MemoryLane:MaxJobs", "the memory lane serves every front"),
            ["Gearman:DurableLease"] = ("Gearman:WorkerLease", "it bounds the lease of memory jobs too"),
            ["Sqlite:DataDirectory"] = ("Data", "the data folder is set by Gantry:Data, --data or GANTRY_DATA"),
            ["Postgres:ConnectionString"] = ("Store", "the PostgreSQL store is set by Gantry:Store, --store or GANTRY_STORE"),
        };

    private static readonly Lazy<SettingNode> LazyRoot = new(Build);

    /// <summary>The <c>Gantry</c> section's tree of known keys.</summary>
    public static SettingNode Root => LazyRoot.Value;

    private static SettingNode Build()
    {
        var root = new SettingNode();
        foreach (var (section, options) in Bound)
        {
            var node = root;
            if (section.Length > 0)
            {
                if (!root.Children.TryGetValue(section, out var child)) root.Children[section] = child = new SettingNode { Name = section };
                node = child;
            }
            AddProperties(node, options, depth: 0);
        }
        foreach (var retired in Retired.Keys) Remove(root, retired.Split(':'));
        return root;
    }

    private static void AddProperties(SettingNode node, Type type, int depth)
    {
        // Options are a few levels deep; a type that refers to itself would otherwise recurse for ever.
        if (depth > 8) return;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is not { IsPublic: true }) continue;
            var settable = property.SetMethod is { IsPublic: true };
            var child = NodeFor(property.PropertyType, depth + 1);
            // The binder sets a value only through a public setter; it fills a section's existing object without one.
            if (child.ValueType is not null && !settable) continue;
            child.Name = property.Name;
            node.Children[property.Name] = child;
        }
    }

    private static SettingNode NodeFor(Type type, int depth)
    {
        if (IsValue(type)) return new SettingNode { ValueType = type };
        if (ElementOf(type) is { } element) return new SettingNode { AnyName = NodeFor(element, depth + 1) };
        var node = new SettingNode();
        AddProperties(node, type, depth);
        return node;
    }

    /// <summary>A type the binder converts from one string (as <c>ConfigurationBinder</c> decides: a type converter from string).</summary>
    private static bool IsValue(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) || t.IsPrimitive || t.IsEnum || TypeDescriptor.GetConverter(t).CanConvertFrom(typeof(string));
    }

    /// <summary>The value type of a dictionary (any key is a name) or the element type of a list (keys are indexes).</summary>
    private static Type? ElementOf(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        if (!typeof(IEnumerable).IsAssignableFrom(type)) return null;
        foreach (var i in type.GetInterfaces().Prepend(type).Where(i => i.IsGenericType))
        {
            var definition = i.GetGenericTypeDefinition();
            if (definition == typeof(IDictionary<,>) || definition == typeof(IReadOnlyDictionary<,>)) return i.GetGenericArguments()[1];
        }
        foreach (var i in type.GetInterfaces().Prepend(type).Where(i => i.IsGenericType))
        {
            if (i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) return i.GetGenericArguments()[0];
        }
        return null;
    }

    private static void Remove(SettingNode node, string[] path)
    {
        for (var i = 0; i < path.Length - 1; i++)
        {
            if (!node.Children.TryGetValue(path[i], out var next)) return;
            node = next;
        }
        node.Children.Remove(path[^1]);
    }

    /// <summary>Every known key's full path below the section (names under a dictionary are left out: they are free).</summary>
    public static IEnumerable<string> Paths(SettingNode node, string prefix = "")
    {
        foreach (var (name, child) in node.Children)
        {
            var path = prefix.Length == 0 ? name : prefix + ":" + name;
            yield return path;
            foreach (var below in Paths(child, path)) yield return below;
        }
    }
}

/// <summary>One level of the settings tree: a value of <see cref="ValueType"/>, a section of named
/// <see cref="Children"/>, or a dictionary or list whose entries (any name) are each an <see cref="AnyName"/>.</summary>
internal sealed class SettingNode
{
    /// <summary>The key as its options property spells it (null for a dictionary's entries, whose names are free).</summary>
    public string? Name { get; set; }

    public Type? ValueType { get; init; }

    public SettingNode? AnyName { get; init; }

    public Dictionary<string, SettingNode> Children { get; } = new(StringComparer.OrdinalIgnoreCase);
}
