using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Cli;

/// <summary><c>gantry publish</c>, <c>gantry subscribe</c> (live, from an offset, as a group member, <c>--body</c>,
/// <c>--count</c>) and <c>gantry topics</c> against a real server process.</summary>
public sealed class TopicCliTests(CliServerFixture fixture) : IClassFixture<CliServerFixture>
{
    private readonly HttpClient _http = fixture.Http;

    private Task<ProcessResult> Gantry(params string[] args) => GantryCli.RunAsync([.. args, "--server", fixture.Url]);

    private static string Topic() => "cli." + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Publish_prints_the_offset_and_subscribe_from_first_prints_json_lines_then_exits_after_count()
    {
        var topic = Topic();
        var first = await Gantry("publish", topic, """{"n":1}""");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal("1", first.Stdout.Trim());
        Assert.Equal("2", (await Gantry("publish", topic, "plain words", "--header", "k=v")).Stdout.Trim());

        var r = await Gantry("subscribe", topic, "--from", "first", "--count", "2");
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal([1L, 2L], lines.Select(l => l["offset"]!.GetValue<long>()));
        Assert.Equal(1, lines[0]["payload"]!["n"]!.GetValue<int>());
        Assert.Equal("plain words", lines[1]["payload_text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Subscribe_from_last_waits_for_a_new_message_and_body_prints_only_it()
    {
        var topic = Topic();
        await Gantry("publish", topic, "\"old\"");
        await using var cli = GantryCli.Start(["subscribe", topic, "--body", "--count", "1", "--server", fixture.Url]);
        // The subscriber is live once presence lists it; only then can it not miss the next message.
        await Eventually.TrueAsync(async () => (await _http.ApiGetAsync($"/api/topics/{topic}/subscribers")).Json["subscribers"]!.AsArray().Count == 1,
            "the CLI subscriber is present");
        await Gantry("publish", topic, """{"fresh":true}""");
        var exit = await cli.WaitForExitAsync();
        Assert.True(exit == 0, $"exit {exit}\n{cli.Stderr}");
        Assert.Equal("""{"fresh":true}""", cli.Stdout.Trim());
    }

    [Fact]
    public async Task Two_group_members_split_the_messages_between_them_and_the_group_commits_all()
    {
        var topic = Topic();
        for (var i = 1; i <= 4; i++) await Gantry("publish", topic, i.ToString());
        var a = await Gantry("subscribe", topic, "--group", "g", "--from", "first", "--count", "3", "--body");
        var b = await Gantry("subscribe", topic, "--group", "g", "--count", "1", "--body");
        Assert.True(a.ExitCode == 0, a.ToString());
        Assert.Equal(["1", "2", "3"], a.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("4", b.Stdout.Trim());
        var group = await _http.ApiGetAsync($"/api/topics/{topic}/groups/g");
        Assert.Equal(0, group.Json["lag"]!.GetValue<long>());
    }

    [Fact]
    public async Task Topics_prints_a_table_and_bad_input_gets_a_clear_error()
    {
        var topic = Topic();
        await Gantry("publish", topic, "1");
        await Gantry("publish", topic, "2");
        var r = await Gantry("topics");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches($@"{Regex.Escape(topic)}\s+durable\s+1\s+2\s+2\s", r.Stdout.Split('\n').Single(l => l.Contains(topic)));

        var bad = await Gantry("publish", "bad topic!", "1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("topic", bad.Stderr);
        var from = await Gantry("subscribe", topic, "--from", "yesterday", "--count", "1");
        Assert.Equal(2, from.ExitCode);
        Assert.Contains("from", from.Stderr);
    }
}
