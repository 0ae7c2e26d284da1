using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Stats;

/// <summary><c>gantry stats</c> (the executable, as a child process) against a server on a manual clock: the table's
/// row for a queue, the BEHIND marker, and <c>--json</c>.</summary>
public sealed class StatsCliTests(SqliteStatsServerFixture fixture) : IClassFixture<SqliteStatsServerFixture>
{
    private Task<Gantry.Testing.ProcessResult> Gantry(params string[] args) =>
        GantryCli.RunAsync([.. args, "--server", fixture.Server.BaseAddress.ToString()]);

    [Fact]
    public async Task Stats_prints_a_row_per_queue_with_percentiles_rate_backlog_running_and_the_behind_marker()
    {
        var slow = Names.Queue("slow");
        var id = await fixture.Http.EnqueueAsync(slow);
        fixture.Time.Advance(TimeSpan.FromSeconds(90));
        var (_, attempt) = await fixture.Http.FetchOneAsync(slow, wait: 0);
        await fixture.Http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}}}""");
        await fixture.Http.ApiGetAsync("/api/stats");           // first look at the slow queue
        fixture.Time.Advance(TimeSpan.FromSeconds(60));
        // Last, so that its running job's lease (60 s) is still held when the table is printed.
        var queue = await StatsApiTests.FewJobsAsync(fixture);

        var r = await Gantry("stats");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("DELAY p50", r.Stdout);
        Assert.Contains("PROCESS p50", r.Stdout);
        Assert.Contains("JOBS/MIN", r.Stdout);
        Assert.Contains("BACKLOG", r.Stdout);
        Assert.Contains("RUNNING", r.Stdout);
        // delay p50/p95/p99 4 s, process 1 s, some rate, backlog 2, running 1, not behind
        var row = r.Stdout.Split('\n').Single(l => l.Contains(queue));
        Assert.True(Regex.IsMatch(row.TrimEnd(), $@"{Regex.Escape(queue)}\s+4 s\s+4 s\s+4 s\s+1 s\s+1 s\s+1 s\s+[\d.]+\s+2\s+1$"), r.Stdout);
        var slowRow = r.Stdout.Split('\n').Single(l => l.Contains(slow));
        Assert.True(Regex.IsMatch(slowRow.TrimEnd(), $@"{Regex.Escape(slow)}\s+90 s\s+90 s\s+90 s\s+.*\bBEHIND$"), r.Stdout);
        Assert.Contains("delay p95 above 30 s for 60 s", r.Stdout);
    }

    [Fact]
    public async Task Stats_with_json_prints_what_the_api_returns()
    {
        var queue = await StatsApiTests.FewJobsAsync(fixture);

        var r = await Gantry("stats", "--json");

        Assert.True(r.ExitCode == 0, r.ToString());
        var json = JsonNode.Parse(r.Stdout)!;
        Assert.Equal(300, json["window_seconds"]!.GetValue<double>());
        var q = json["queues"]!.AsArray().Single(n => n!["queue"]!.GetValue<string>() == queue)!;
        Assert.Equal(4000, q["delay"]!["p99_ms"]!.GetValue<double>());
        Assert.Equal(2, q["backlog"]!.GetValue<long>());
    }
}
