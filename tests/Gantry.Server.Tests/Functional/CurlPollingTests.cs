using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Functional;

/// <summary>
/// The topic polling API driven by curl, as a shell script would use it: a batch published from a file with
/// <c>-d @file</c>, a short poll that answers at once with <c>next</c>, and a long poll that returns when a message is
/// published meanwhile. The fixture's fallback poll is out of reach, so only the publish can wake the long poll.
/// </summary>
public abstract class CurlPollingTests(ServerFixture fixture) : IDisposable
{
    private readonly TempFolder _files = new("gantry-curl");

    private string Url(string path) => new Uri(fixture.Server.BaseAddress, path).ToString();

    private static async Task<JsonNode> Curl(params string[] arguments)
    {
        var r = await ChildProcess.RunAsync("curl", ["--silent", "--show-error", "--fail-with-body", .. arguments]);
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonNode.Parse(r.Stdout)!;
    }

    [Fact]
    public async Task Curl_publishes_a_batch_from_a_file_short_polls_at_once_and_a_long_poll_wakes_on_publish()
    {
        var topic = "curl." + Guid.NewGuid().ToString("N")[..12];
        var batch = Path.Combine(_files.Path, "batch.json");
        await File.WriteAllTextAsync(batch, """{"messages":[{"payload":{"n":1}},{"payload":{"n":2},"id":"two"},{"payload":{"n":3}}]}""");

        var published = await Curl("-H", "Content-Type: application/json", "-d", "@" + batch, Url($"/api/topics/{topic}/messages"));
        Assert.Equal([1L, 2L, 3L], published["messages"]!.AsArray().Select(m => m!["offset"]!.GetValue<long>()));

        var page = await Curl(Url($"/api/topics/{topic}/messages?after=1"));
        Assert.Equal([2L, 3L], page["messages"]!.AsArray().Select(m => m!["offset"]!.GetValue<long>()));
        Assert.Equal("two", page["messages"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(3, page["next"]!.GetValue<long>());
        // Nothing after the newest and no wait: an empty page at once, and next stays where the reader is.
        var empty = await Curl(Url($"/api/topics/{topic}/messages?after=3"));
        Assert.Empty(empty["messages"]!.AsArray());
        Assert.Equal(3, empty["next"]!.GetValue<long>());

        // The long poll's wait is long enough that, were it not woken by the publish, it would come back empty (failing).
        var body = Path.Combine(_files.Path, "long-poll.json");
        await using var longPoll = ChildProcess.Start("curl",
            ["--silent", "--show-error", "--fail-with-body", "--trace-ascii", "-", "-o", body, Url($"/api/topics/{topic}/messages?after=3&wait=50")]);
        await longPoll.WaitForLineAsync(l => l.StartsWith("=> Send header", StringComparison.Ordinal), "curl to send the long poll");
        await Curl("-H", "Content-Type: application/json", "-d", """{"payload":"late"}""", Url($"/api/topics/{topic}/messages"));
        Assert.Equal(0, await longPoll.WaitForExitAsync());
        var woken = JsonNode.Parse(await File.ReadAllTextAsync(body))!;
        Assert.Equal("late", Assert.Single(woken["messages"]!.AsArray())!["payload"]!.GetValue<string>());
        Assert.Equal(4, woken["next"]!.GetValue<long>());
    }

    public void Dispose() => _files.Dispose();
}

public sealed class CurlPollingOnSqlite(SqliteServerFixture f) : CurlPollingTests(f), IClassFixture<SqliteServerFixture>;

public sealed class CurlPollingOnPostgres(PostgresServerFixture f) : CurlPollingTests(f), IClassFixture<PostgresServerFixture>;
