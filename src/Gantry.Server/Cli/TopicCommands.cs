using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gantry.Client;
using Gantry.Client.Topics;
using Gantry.Contracts;
using Spectre.Console;

namespace Gantry.Server.Cli;

/// <summary><c>gantry publish TOPIC BODY</c>, <c>gantry subscribe TOPIC</c>, <c>gantry topics</c>.</summary>
internal static class TopicCommands
{
    /// <summary>A group member fetches at most this many messages per call when no <c>--count</c> limits it.</summary>
    public const int GroupFetchBatch = 100;
    /// <summary>Each group fetch long-polls this long, then asks again: an idle <c>subscribe --group</c> costs two calls a minute.</summary>
    public static readonly TimeSpan GroupFetchWait = TimeSpan.FromSeconds(30);

    private static readonly JsonWriterOptions Line = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command CreatePublish()
    {
        var topic = new Argument<string>("TOPIC") { Description = "The topic (created on first publish), e.g. orders.created" };
        var body = new Argument<string>("BODY") { Description = "The message: JSON is sent as JSON, other text as its UTF-8 bytes; - reads stdin" };
        var id = new Option<string?>("--id") { Description = "The message id: a repeat within the dedup window is stored once", HelpName = "ID" };
        var header = new Option<string[]>("--header") { Description = "A header NAME=VALUE (repeatable)", HelpName = "NAME=VALUE", Arity = ArgumentArity.ZeroOrMore };
        var text = PayloadInput.TextOption();
        var command = new Command("publish", "Publish a message to a topic and print its offset.") { topic, body, id, header, text };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var h in parse.GetValue(header) ?? [])
            {
                var eq = h.IndexOf('=');
                if (eq <= 0) throw new CliException($"--header '{h}' is not NAME=VALUE.", ExitCodes.Usage);
                headers[h[..eq]] = h[(eq + 1)..];
            }
            using var client = ClientSettings.Client(parse);
            var bytes = await PayloadInput.ReadAsync(parse.GetValue(body)!, ct);
            if (!parse.GetValue(text) && PayloadInput.NotJsonWarning(bytes) is { } warning) Console.Error.WriteLine("gantry: " + warning);
            var published = await client.PublishBytesAsync(parse.GetValue(topic)!, bytes,
                new PublishOptions { Id = parse.GetValue(id), Headers = headers.Count > 0 ? headers : null }, ct);
            Console.WriteLine(published.Offset);
            if (published.Duplicate) Console.Error.WriteLine($"gantry: message id '{parse.GetValue(id)}' was published before, at offset {published.Offset}; nothing new was stored.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command CreateSubscribe()
    {
        var topic = new Argument<string>("TOPIC") { Description = "The topic, or a pattern: orders.* (one segment), orders.# (any depth)" };
        var from = new Option<string?>("--from")
        {
            Description = "Where to start: first, last (only new messages) or an offset [default: last; with --group, where a new group starts]",
            HelpName = "first|last|N",
        };
        var group = new Option<string?>("--group") { Description = "Join this consumer group: each message goes to one member and is acked once printed", HelpName = "GROUP" };
        var count = Flags.WholeNumber("--count", "Exit after this many messages", 1);
        var bodyOnly = new Option<bool>("--body") { Description = "Print only each message's body (one per line) instead of a JSON line" };
        var command = new Command("subscribe", "Print a topic's messages as they arrive, one per line (JSON with offset, or --body).")
        {
            topic, from, group, count, bodyOnly,
        };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var name = parse.GetValue(topic)!;
            var limit = parse.GetValue(count);
            var print = parse.GetValue(bodyOnly) ? (Action<string?, long, string, ReadOnlyMemory<byte>, DateTimeOffset>)PrintBody : PrintLine;
            var printed = 0;
            try
            {
                if (parse.GetValue(group) is { } g)
                {
                    var member = $"gantry-cli/{Environment.MachineName}/{Environment.ProcessId}";
                    if (parse.GetValue(from) is { } start) await client.SetGroupAsync(name, g, start, ct: ct);
                    while (limit is null || printed < limit)
                    {
                        var max = Math.Min(GroupFetchBatch, limit is { } l ? l - printed : GroupFetchBatch);
                        var messages = await client.FetchGroupAsync(name, g, member, max, GroupFetchWait, ct);
                        foreach (var m in messages) print(null, m.Offset, m.Id, Payloads.FromWire(m.Payload, m.PayloadBase64, "payload"), m.PublishedAt);
                        Console.Out.Flush();
                        if (messages.Count > 0) await client.AckAsync(name, g, messages.Select(m => m.DeliveryId), ct);
                        printed += messages.Count;
                    }
                    return ExitCodes.Ok;
                }
                var options = new SubscribeOptions
                {
                    From = parse.GetValue(from) ?? "last",
                    OnNotice = n => Console.Error.WriteLine($"gantry: {Describe(n)}"),
                };
                await foreach (var e in client.SubscribeAsync(name, options, ct))
                {
                    print(name.Contains('*') || name.Contains('#') ? e.Topic : null, e.Offset, e.Id, e.Payload, e.PublishedAt);
                    Console.Out.Flush();
                    if (++printed == limit) break;
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Ctrl-C: a normal way to stop following a topic.
            }
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static string Describe(TopicNotice n) => n.Kind switch
    {
        TopicNoticeKind.Truncated => $"messages {n.From} to {n.To} were pruned (retention) before they could be read",
        TopicNoticeKind.EpochChanged => $"the topic's history was lost; reading its new history from the start ({n.Reason})",
        _ => n.Reason,
    };

    private static void PrintBody(string? topic, long offset, string id, ReadOnlyMemory<byte> body, DateTimeOffset at)
    {
        using var stdout = Console.OpenStandardOutput();
        Console.Out.Flush();
        stdout.Write(PayloadOutput.ForStdout(body).Span);
        stdout.Write("\n"u8);
    }

    private static void PrintLine(string? topic, long offset, string id, ReadOnlyMemory<byte> body, DateTimeOffset at)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Line))
        {
            w.WriteStartObject();
            if (topic is not null) w.WriteString("topic", topic);
            w.WriteNumber("offset", offset);
            w.WriteString("id", id);
            if (body.Length > 0 && RawJson.TryCreate(body, out _))
            {
                w.WritePropertyName("payload");
                using var doc = JsonDocument.Parse(body);
                doc.RootElement.WriteTo(w);
            }
            else if (System.Text.Unicode.Utf8.IsValid(body.Span)) w.WriteString("payload_text", Encoding.UTF8.GetString(body.Span));
            else w.WriteBase64String("payload_base64", body.Span);
            w.WriteString("published_at", at);
            w.WriteEndObject();
        }
        Console.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    public static Command CreateList()
    {
        var command = new Command("topics", "List topics with their offsets, message counts, retention and live subscribers.") { ClientSettings.Json };
        ClientSettings.AddTo(command);
        command.SetAction(async (parse, ct) => await CliErrors.Run(async () =>
        {
            using var client = ClientSettings.Client(parse);
            var topics = await client.ListTopicsAsync(ct);
            if (parse.GetValue(ClientSettings.Json))
            {
                Tables.PrintJson(new TopicListView { Topics = topics.ToList() }, GantryJsonContext.Default.TopicListView);
                return ExitCodes.Ok;
            }
            var table = Tables.New("TOPIC", "LANE", "FIRST", "LAST", "MESSAGES", "RETAIN COUNT", "RETAIN", "SUBSCRIBERS", "GROUPS (LAG)", "EPOCH");
            foreach (var t in topics)
            {
                var groups = string.Join(", ", t.Groups.Select(g => $"{g.Name} ({g.Lag})"));
                table.AddRow(Markup.Escape(t.Name), t.Lane, t.FirstOffset.ToString(), t.LastOffset.ToString(), t.MessageCount.ToString(),
                    t.RetainCount?.ToString() ?? "", Tables.Age(t.RetainSeconds), t.Subscribers.ToString(), Markup.Escape(groups), Markup.Escape(t.Epoch));
            }
            Tables.Console.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
