using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gantry.Workers.Config;

/// <summary>
/// Reads a workers file (YAML) into a <see cref="WorkersConfig"/>, or throws <see cref="ConfigException"/> listing
/// every problem with its file, line and column. Nothing is started until a file loads cleanly, and a reload that
/// fails leaves the running pools as they are.
/// </summary>
public static class ConfigLoader
{
    internal static readonly string[] TopKeys = ["server", "token", "gearman", "pid_file", "status_file", "log_format", "shutdown_grace", "pools"];

    public static WorkersConfig Load(string path)
    {
        var fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigError(fullPath, 0, 0, $"cannot read the workers file: {ex.Message}")]);
        }
        return Parse(text, fullPath);
    }

    /// <summary>Parses <paramref name="text"/> as the file at <paramref name="path"/> (relative paths resolve against its folder).</summary>
    public static WorkersConfig Parse(string text, string path)
    {
        var fullPath = Path.GetFullPath(path);
        var reader = new YamlReader(fullPath);
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException ex)
        {
            // YamlDotNet's message repeats the position; the error line gives it once, in the usual file:line:column form.
            var message = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            reader.Error((int)ex.Start.Line, (int)ex.Start.Column, "not valid YAML: " + StripPosition(message));
            throw new ConfigException(reader.Errors);
        }
        catch (InvalidOperationException)
        {
            // The scanner fails this way (without a position) on some unclosed flow collections; the last event it
            // produced is where the trouble starts.
            var at = parser.Current?.Start;
            reader.Error((int)(at?.Line ?? 1), (int)(at?.Column ?? 1), "not valid YAML: the file ends inside something left open (an unclosed [, { or quote?)");
            throw new ConfigException(reader.Errors);
        }
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            var node = stream.Documents.FirstOrDefault()?.RootNode;
            if (node is null) reader.Error(1, 1, "the file is empty; it needs at least 'pools:' with one pool.");
            else reader.Error(node, "the file must be one mapping with a 'pools:' list (and optional settings such as server).");
            throw new ConfigException(reader.Errors);
        }

        var folder = Path.GetDirectoryName(fullPath)!;
        var entries = reader.Entries(root, "top level", TopKeys);
        Uri? server = null;
        if (entries.TryGetValue("server", out var s) && reader.String(s.Value, "server") is { } serverText)
        {
            if (Uri.TryCreate(serverText, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") server = uri;
            else reader.Error(s.Value, $"'server' must be an http:// or https:// address, not '{serverText}'.");
        }
        var token = entries.TryGetValue("token", out var t) ? reader.String(t.Value, "token") : null;
        var gearman = Child.Gearman.GearmanEndpoint.Default;
        if (entries.TryGetValue("gearman", out var gm) && reader.String(gm.Value, "gearman") is { } gearmanText)
        {
            if (Child.Gearman.GearmanEndpoint.TryParse(gearmanText, out _)) gearman = gearmanText;
            else reader.Error(gm.Value, $"'gearman' must be HOST:PORT (the server's Gearman port), not '{gearmanText}'.");
        }
        var pidFile = entries.TryGetValue("pid_file", out var p) ? Resolve(folder, reader.String(p.Value, "pid_file")) : null;
        var statusFile = entries.TryGetValue("status_file", out var sf) ? Resolve(folder, reader.String(sf.Value, "status_file")) : null;
        var logFormat = WorkersConfig.DefaultLogFormat;
        if (entries.TryGetValue("log_format", out var lf) && reader.String(lf.Value, "log_format") is { } format)
        {
            if (format is "plain") logFormat = LogFormat.Plain;
            else if (format is "json") logFormat = LogFormat.Json;
            else reader.Error(lf.Value, $"'log_format' must be plain or json, not '{format}'.");
        }
        var grace = WorkersConfig.DefaultShutdownGrace;
        if (entries.TryGetValue("shutdown_grace", out var g) && reader.Duration(g.Value, "shutdown_grace") is { } graceValue) grace = graceValue;

        var pools = new List<PoolConfig>();
        if (!entries.TryGetValue("pools", out var poolsEntry))
            reader.Error(root, "'pools' is missing: list at least one pool (name, queues or functions, and one of command, handler or url).");
        else if (poolsEntry.Value is not YamlSequenceNode { Children.Count: > 0 } poolNodes)
            reader.Error(poolsEntry.Value, "'pools' must be a non-empty list of pools.");
        else
        {
            var names = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var node in poolNodes.Children)
            {
                // Checked on the raw name, so a pool with other errors still counts as taken.
                if (node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("name"), out var nameNode)
                    && nameNode is YamlScalarNode { Value: { Length: > 0 } name })
                {
                    if (names.TryGetValue(name, out var first))
                        reader.Error(nameNode, $"pool name '{name}' is used twice (first at line {first.Start.Line}); names must be unique.");
                    else
                        names[name] = nameNode;
                }
                if (PoolReader.Read(reader, node, folder) is { } pool) pools.Add(pool);
            }
        }

        if (reader.Errors.Count > 0) throw new ConfigException(reader.Errors);
        return new WorkersConfig
        {
            Path = fullPath,
            Server = server,
            Token = token,
            Gearman = gearman,
            PidFile = pidFile,
            StatusFile = statusFile ?? WorkersConfig.DefaultStatusFile(fullPath),
            LogFormat = logFormat,
            ShutdownGrace = grace,
            Pools = pools,
        };
    }

    internal static string? Resolve(string folder, string? path) => path is null ? null : Path.GetFullPath(path, folder);

    private static string StripPosition(string message)
    {
        // "(Line: 3, Col: 5, Idx: 20) - (Line: 3, Col: 6, Idx: 21): While scanning…" → "While scanning…"
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && cut > 0 ? message[(cut + 3)..] : message;
    }
}
