using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Gantry.Workers.Config;

/// <summary>Reads one entry of <c>pools:</c>, checking every key against its rules (see the README's key table).</summary>
internal static partial class PoolReader
{
    internal static readonly string[] Keys =
    [
        "name", "queues", "functions", "command", "handler", "assembly", "url", "processes", "concurrency", "max_jobs_per_child",
        "max_memory_mb", "timeout", "env", "working_directory",
    ];

    private static readonly string[] Kinds = ["command", "handler", "url"];
    /// <summary>A sanity bound for max_jobs_per_child and max_memory_mb (a million jobs, a terabyte).</summary>
    private const int LargeLimit = 1_000_000;

    public static PoolConfig? Read(YamlReader reader, YamlNode node, string folder)
    {
        if (node is not YamlMappingNode map)
        {
            reader.Error(node, "each pool must be a mapping with name, queues (or functions), and one of command, handler or url.");
            return null;
        }
        var before = reader.Errors.Count;
        var entries = reader.Entries(map, "pool", Keys);

        string? name = null;
        if (!entries.TryGetValue("name", out var n)) reader.Error(map, "pool: 'name' is missing.");
        else if (reader.String(n.Value, "name") is { } nameText)
        {
            if (PoolName().IsMatch(nameText)) name = nameText;
            else reader.Error(n.Value, $"pool name '{nameText}' must be 1-64 letters, digits, '.', '-' or '_'.");
        }
        var where = name is null ? "pool" : $"pool '{name}'";

        // A pool works Gantry queues (through the HTTP API) or Gearman functions (as a Gearman worker), not both: each has
        // its own way of taking jobs, and one job budget per child.
        List<string>? queues = null, functions = null;
        var hasQueues = entries.TryGetValue("queues", out var q);
        var hasFunctions = entries.TryGetValue("functions", out var f);
        if (!hasQueues && !hasFunctions)
            reader.Error(map, $"{where}: 'queues' is missing (the queues its children work; or 'functions' for Gearman functions).");
        else if (hasQueues && hasFunctions)
            reader.Error(f.Key, $"{where}: give 'queues' or 'functions', not both (use two pools).");
        if (hasQueues) queues = Names(reader, q.Value, "queues", "queue", where);
        if (hasFunctions) functions = Names(reader, f.Value, "functions", "function", where);

        var given = Kinds.Where(entries.ContainsKey).ToList();
        if (given.Count != 1)
            reader.Error(given.Count == 0 ? map : entries[given[1]].Key,
                $"{where}: give exactly one of command, handler or url{(given.Count == 0 ? "" : $" (found {string.Join(" and ", given)})")}.");
        if (entries.TryGetValue("assembly", out var a) && !entries.ContainsKey("handler"))
            reader.Error(a.Key, $"{where}: 'assembly' only goes with 'handler'.");

        var kind = HandlerKind.Command;
        IReadOnlyList<string>? command = null;
        string? handler = null, assembly = null;
        Uri? url = null;
        if (given.Count == 1)
        {
            switch (given[0])
            {
                case "command":
                    kind = HandlerKind.Command;
                    if (reader.Strings(entries["command"].Value, "command") is { } parts)
                    {
                        command = [ResolveProgram(folder, parts[0]), .. parts.Skip(1)];
                        if (Path.IsPathRooted(command[0]) && !File.Exists(command[0]))
                            reader.Error(entries["command"].Value, $"{where}: the command {command[0]} does not exist.");
                    }
                    break;
                case "handler":
                    kind = HandlerKind.Handler;
                    var h = entries["handler"];
                    handler = reader.String(h.Value, "handler");
                    if (a.Value is not null) assembly = ConfigLoader.Resolve(folder, reader.String(a.Value, "assembly"));
                    if (handler is not null && reader.Errors.Count == before && HandlerTypes.Check(handler, assembly) is { } problem)
                        reader.Error(h.Value, $"{where}: handler {problem}");
                    break;
                default:
                    kind = HandlerKind.Url;
                    var u = entries["url"];
                    if (reader.String(u.Value, "url") is { } urlText)
                    {
                        if (Uri.TryCreate(urlText, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https") url = parsed;
                        else reader.Error(u.Value, $"{where}: 'url' must be an http:// or https:// address, not '{urlText}'.");
                    }
                    break;
            }
        }

        var processes = Number(reader, entries, "processes", 1, PoolConfig.MaxProcesses, PoolConfig.DefaultProcesses);
        var concurrency = Number(reader, entries, "concurrency", 1, PoolConfig.MaxConcurrency, PoolConfig.DefaultConcurrency);
        var maxJobs = Number(reader, entries, "max_jobs_per_child", 0, LargeLimit, PoolConfig.DefaultMaxJobsPerChild);
        var maxMemory = Number(reader, entries, "max_memory_mb", 0, LargeLimit, PoolConfig.DefaultMaxMemoryMb);
        var timeout = entries.TryGetValue("timeout", out var t) ? reader.Duration(t.Value, "timeout") ?? PoolConfig.DefaultTimeout : PoolConfig.DefaultTimeout;
        var env = entries.TryGetValue("env", out var e) ? reader.StringMap(e.Value, "env") ?? [] : [];
        var workingDirectory = folder;
        if (entries.TryGetValue("working_directory", out var w) && ConfigLoader.Resolve(folder, reader.String(w.Value, "working_directory")) is { } dir)
        {
            if (Directory.Exists(dir)) workingDirectory = dir;
            else reader.Error(w.Value, $"{where}: working_directory {dir} does not exist.");
        }

        if (reader.Errors.Count > before || name is null || (queues is null && functions is null)) return null;
        return new PoolConfig
        {
            Name = name,
            Queues = queues ?? [],
            Functions = functions ?? [],
            Kind = kind,
            Command = command,
            Handler = handler,
            Assembly = assembly,
            Url = url,
            Processes = processes,
            Concurrency = concurrency,
            MaxJobsPerChild = maxJobs,
            MaxMemoryMb = maxMemory,
            Timeout = timeout,
            Env = env,
            WorkingDirectory = workingDirectory,
        };
    }

    /// <summary>A list (or one name) of queue or function names, each by the queue-name rule, none twice.</summary>
    private static List<string>? Names(YamlReader reader, YamlNode node, string key, string what, string where)
    {
        if (reader.Strings(node, key) is not { } list) return null;
        foreach (var bad in list.Where(x => !QueueName().IsMatch(x)))
            reader.Error(node, $"{where}: {what} name '{bad}' must be 1-128 letters, digits, '.', '-', '_' or ':'.");
        foreach (var twice in list.GroupBy(x => x).Where(g => g.Count() > 1))
            reader.Error(node, $"{where}: {what} '{twice.Key}' is listed twice.");
        return list;
    }

    private static int Number(YamlReader reader, Dictionary<string, (YamlScalarNode Key, YamlNode Value)> entries, string key, int min, int max, int fallback) =>
        entries.TryGetValue(key, out var entry) ? reader.Int(entry.Value, key, min, max) ?? fallback : fallback;

    /// <summary>A program with a slash in it is a path (relative to the workers file); a bare name is looked up on PATH.</summary>
    private static string ResolveProgram(string folder, string program) =>
        program.Contains('/') || program.Contains(Path.DirectorySeparatorChar) ? Path.GetFullPath(program, folder) : program;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex PoolName();

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex QueueName();
}
