using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Cli;

/// <summary>
/// How the verbs take their arguments, against a real server: a flag out of range is one line naming the flag and its
/// range, exit 2, before anything reaches the server; <c>--wait</c> beyond the server's long-poll limit still waits;
/// each verb's help shows only the options it uses.
/// </summary>
public sealed class CliArgumentTests(CliServerFixture fixture) : IClassFixture<CliServerFixture>
{
    private Task<ProcessResult> Gantry(params string[] args) => GantryCli.RunAsync([.. args, "--server", fixture.Url]);

    /// <summary>The .NET a user must never see: a stack trace, an exception or type name, a TimeSpan.</summary>
    internal static void AssertNoInternals(ProcessResult r)
    {
        var all = r.Stdout + "\n" + r.Stderr;
        Assert.DoesNotContain("   at ", all);
        Assert.DoesNotContain("Exception", all);
        Assert.DoesNotContain("System.", all);
        Assert.DoesNotContain("Unhandled", all);
    }

    /// <summary>Nothing but a problem line (and the pointer to --help) on stderr, and nothing on stdout.</summary>
    private static void AssertRefusedAsUsage(ProcessResult r, params string[] mentions)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        AssertNoInternals(r);
        Assert.Equal("", r.Stdout.Trim());
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 2, r.ToString());
        Assert.StartsWith("gantry: ", lines[0]);
        foreach (var m in mentions) Assert.Contains(m, lines[0]);
        Assert.Contains("--help", lines[1]);
    }

    [Theory]
    [InlineData("--delay", "1e12", "from 0 to 315360000 (3650 days)")]
    [InlineData("--delay", "-5", "from 0 to 315360000 (3650 days)")]
    [InlineData("--timeout", "1e20", "from 1 to 2592000 (30 days)")]
    [InlineData("--timeout", "NaN", "from 1 to 2592000 (30 days)")]
    [InlineData("--wait", "1e20", "from 0 to 315360000 (3650 days)")]
    [InlineData("--wait", "-1", "from 0 to 315360000 (3650 days)")]
    [InlineData("--priority", "99999999999", "whole number from -2147483648 to 2147483647")]
    [InlineData("--max-attempts", "0", "whole number from 1 to 1000000")]
    [InlineData("--run-at", "tomorrow", "ISO 8601")]
    public async Task Enqueue_with_a_flag_out_of_range_names_the_flag_and_its_range_exits_2_and_enqueues_nothing(
        string flag, string value, string range)
    {
        var queue = Names.Queue();

        var r = await Gantry("enqueue", queue, "1", flag, value);

        AssertRefusedAsUsage(r, flag, range, $"'{value}'");
        var queues = await fixture.Http.ApiGetAsync("/api/queues");
        Assert.DoesNotContain(queue, queues.Json.ToJsonString());
    }

    [Theory]
    [InlineData(new[] { "jobs", "--limit", "1e20" }, "--limit", "from 1 to 500")]
    [InlineData(new[] { "jobs", "--before", "x" }, "--before", "job id")]
    [InlineData(new[] { "job", "abc" }, "ID", "job id")]
    [InlineData(new[] { "cancel", "99999999999999999999" }, "ID", "job id")]
    [InlineData(new[] { "recurring", "set", "nightly", "@daily", "q", "--timeout", "1e20" }, "--timeout", "from 1 to 2592000 (30 days)")]
    [InlineData(new[] { "recurring", "set", "nightly", "@daily", "q", "--max-attempts", "-1" }, "--max-attempts", "from 1 to 1000000")]
    public async Task Every_verbs_numeric_flags_are_checked_the_same_way(string[] args, string flag, string range)
    {
        var r = await Gantry(args);

        AssertRefusedAsUsage(r, flag, range);
        Assert.Contains($"gantry {string.Join(' ', args.TakeWhile(a => a is "jobs" or "job" or "cancel" or "recurring" or "set"))} --help", r.Stderr);
    }

    [Fact]
    public async Task Enqueue_with_a_wait_beyond_the_servers_long_poll_limit_waits_for_the_result()
    {
        var queue = Names.Queue();
        // 120 s is past the server's 60 s limit on one long poll (Gantry:Limits:MaxWait): the CLI waits in several.
        await using var cli = GantryCli.Start(["enqueue", queue, """{"n":1}""", "--wait", "120", "--server", fixture.Url]);

        var (id, attempt) = await fixture.Http.FetchOneAsync(queue, wait: 30);
        var done = await fixture.Http.ApiPostAsync($"/api/jobs/{id}/complete", $$$"""{"attempt":{{{attempt}}},"result":{"ok":true}}""");
        Assert.Equal(200, done.Code);

        var exit = await cli.WaitForExitAsync();
        Assert.True(exit == 0, $"exit {exit}\n{cli.Stdout}\n{cli.Stderr}");
        Assert.Equal("""{"ok":true}""", cli.Stdout.Trim());
    }

    [Fact]
    public async Task Enqueue_wait_against_a_server_with_a_shorter_long_poll_limit_still_waits_for_the_result()
    {
        // A server that allows 5 s per long poll refuses the CLI's usual 60 s poll; the CLI shortens its polls.
        await using var store = TestStore.Sqlite();
        await using var server = await ServerProcess.StartAsync(store,
            new Dictionary<string, string?> { ["GANTRY_LIMITS__MAXWAIT"] = "00:00:05" });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var queue = Names.Queue();
        await using var cli = GantryCli.Start(["enqueue", queue, """{"n":1}""", "--wait", "30", "--server", server.BaseAddress.ToString()]);

        var (id, attempt) = await http.FetchOneAsync(queue, wait: 5);
        var done = await http.ApiPostAsync($"/api/jobs/{id}/complete", $$$"""{"attempt":{{{attempt}}},"result":{"ok":true}}""");
        Assert.Equal(200, done.Code);

        var exit = await cli.WaitForExitAsync();
        Assert.True(exit == 0, $"exit {exit}\n{cli.Stdout}\n{cli.Stderr}");
        Assert.Equal("""{"ok":true}""", cli.Stdout.Trim());
    }

    [Fact]
    public async Task Migrate_help_lists_the_store_options_only_and_server_help_lists_the_listeners_too()
    {
        var migrate = await GantryCli.RunAsync(["migrate", "--help"]);
        var server = await GantryCli.RunAsync(["server", "--help"]);

        Assert.True(migrate.ExitCode == 0, migrate.ToString());
        foreach (var option in new[] { "--data", "--store", "--config" }) Assert.Contains(option, migrate.Stdout);
        Assert.DoesNotContain("--urls", migrate.Stdout);
        Assert.DoesNotContain("--gearman", migrate.Stdout);
        Assert.DoesNotContain("--stomp", migrate.Stdout);
        foreach (var option in new[] { "--data", "--store", "--config", "--urls", "--gearman", "--stomp" }) Assert.Contains(option, server.Stdout);
    }
}
