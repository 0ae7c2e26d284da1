using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Cli;

/// <summary><c>gantry recurring …</c> against a <c>gantry server</c> child process, and a configuration file whose
/// schedule is broken stopping <c>gantry server</c> before it starts.</summary>
public sealed class RecurringCliTests(CliServerFixture fixture) : IClassFixture<CliServerFixture>
{
    private Task<ProcessResult> Gantry(params string[] args) => GantryCli.RunAsync([.. args, "--server", fixture.Url]);

    [Fact]
    public async Task Set_list_show_trigger_pause_and_delete()
    {
        var name = Names.Queue();
        var set = await Gantry("recurring", "set", name, "@hourly", name, """{"from":"cli"}""", "--time-zone", "Asia/Tokyo", "--misfire", "skip");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Contains($"Schedule {name} is saved", set.Stdout);

        var list = await Gantry("recurring", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        var schedule = JsonNode.Parse(list.Stdout)!["schedules"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == name)!;
        Assert.Equal("@hourly", schedule["cron"]!.GetValue<string>());
        Assert.Equal("Asia/Tokyo", schedule["time_zone"]!.GetValue<string>());
        Assert.Equal("skip", schedule["misfire"]!.GetValue<string>());

        var table = await Gantry("recurring", "list");
        Assert.Matches($@"{name}\s+@hourly\s+Asia/Tokyo\s+{name}\s", table.Stdout);

        var show = await Gantry("recurring", "show", name);
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("upcoming", show.Stdout);

        var trigger = await Gantry("recurring", "trigger", name);
        Assert.True(trigger.ExitCode == 0, trigger.ToString());
        var job = await fixture.Http.GetJobAsync(long.Parse(trigger.Stdout.Trim()));
        Assert.Equal("""{"from":"cli"}""", job["payload"]!.ToJsonString());

        Assert.Contains("paused", (await Gantry("recurring", "pause", name)).Stdout);
        Assert.Contains("is deleted", (await Gantry("recurring", "delete", name)).Stdout);
        var gone = await Gantry("recurring", "show", name);
        Assert.Equal(1, gone.ExitCode);
        Assert.Contains("no recurring schedule", gone.Stderr);
    }

    [Fact]
    public async Task A_bad_expression_is_refused_with_the_reason()
    {
        var r = await Gantry("recurring", "set", Names.Queue(), "0 0 30 2 * * 1999", "q");
        Assert.Equal(2, r.ExitCode); // the server refused the request as invalid: the command must change
        Assert.Contains("cron:", r.Stderr);
    }

    [Fact]
    public async Task A_broken_schedule_in_the_configuration_file_stops_the_server_naming_it()
    {
        using var folder = new TempFolder("gantry-recurring-config");
        var config = Path.Combine(folder.Path, "gantry.json");
        await File.WriteAllTextAsync(config, """
            { "Gantry": { "Recurring": { "Schedules": { "nightly-report": { "Cron": "0 3 * * *", "Queue": "reports", "TimeZone": "Europe/Atlantis" } } } } }
            """);

        var r = await GantryCli.RunAsync(["server", "--data", Path.Combine(folder.Path, "data"), "--config", config, "--urls", "http://127.0.0.1:0"]);

        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("Gantry:Recurring:Schedules:nightly-report: time_zone:", r.Stderr);
        Assert.DoesNotContain("listening on", r.Stdout);
    }
}
