using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gantry.Server.Tests.Stats;

/// <summary>
/// <c>GET /api/stats</c>, <c>GET /api/stats/{queue}</c> and <c>GET /metrics</c> after a few jobs whose every duration is
/// known (the server runs on a manual clock): the percentiles, counts, backlog, running jobs, and the falling-behind
/// flag and its warning.
/// </summary>
public abstract class StatsApiTests(StatsServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    private void Advance(double seconds) => fixture.Time.Advance(TimeSpan.FromSeconds(seconds));

    /// <summary>Four jobs that each waited 4 s and ran 1 s (three succeeded, one dead), two waiting, one running.</summary>
    internal static async Task<string> FewJobsAsync(StatsServerFixture fixture)
    {
        var http = fixture.Http;
        var queue = Names.Queue("stats");
        for (var i = 0; i < 4; i++) await http.EnqueueAsync(queue);
        fixture.Time.Advance(TimeSpan.FromSeconds(4));
        var jobs = await http.FetchAsync(queue, max: 4);
        Assert.Equal(4, jobs.Count);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        var ids = jobs.Select(j => (Id: j!["id"]!.GetValue<long>(), Attempt: j["attempt"]!.GetValue<int>())).ToList();
        var completions = string.Join(',', ids.Take(3).Select(j => $$"""{"id":{{j.Id}},"attempt":{{j.Attempt}}}"""));
        Assert.Equal(200, (await http.ApiPostAsync("/api/leases/complete", $$"""{"completions":[{{completions}}]}""")).Code);
        Assert.Equal(200, (await http.ApiPostAsync($"/api/jobs/{ids[3].Id}/fail", $$"""{"attempt":{{ids[3].Attempt}},"error":"no","retry":false}""")).Code);
        for (var i = 0; i < 3; i++) await http.EnqueueAsync(queue);
        await http.FetchOneAsync(queue, wait: 0); // stays running
        return queue;
    }

    private static void AssertDurations(JsonNode node, double ms, long count)
    {
        Assert.Equal(count, node["count"]!.GetValue<long>());
        foreach (var field in new[] { "p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms" })
            Assert.True(node[field]!.GetValue<double>() == ms, $"{field}: expected {ms}, got {node.ToJsonString()}");
    }

    [Fact]
    public async Task Stats_of_a_queue_give_its_percentiles_outcomes_rate_backlog_and_running_jobs()
    {
        var queue = await FewJobsAsync(fixture);

        var r = await _http.ApiGetAsync($"/api/stats/{queue}");

        Assert.Equal(HttpStatusCode.OK, r.Status);
        var q = r.Json;
        Assert.Equal(queue, q["queue"]!.GetValue<string>());
        Assert.Equal("durable", q["lane"]!.GetValue<string>());
        Assert.Equal(4, q["processed"]!.GetValue<long>());
        AssertDurations(q["delay"]!, 4000, 4);
        AssertDurations(q["process"]!, 1000, 4);
        var outcomes = q["outcomes"]!;
        Assert.Equal(3, outcomes["succeeded"]!.GetValue<long>());
        Assert.Equal(1, outcomes["dead"]!.GetValue<long>());
        Assert.Equal(0, outcomes["failed"]!.GetValue<long>());
        Assert.Equal(0, outcomes["lease_expired"]!.GetValue<long>());
        Assert.Null(outcomes["released"]);
        Assert.Equal(2, q["backlog"]!.GetValue<long>());
        Assert.Equal(1, q["running"]!.GetValue<long>());
        var covered = q["covered_seconds"]!.GetValue<double>();
        Assert.Equal(Math.Round(4 / Math.Max(covered / 60, 1), 3), q["jobs_per_minute"]!.GetValue<double>());
        Assert.False(q["falling_behind"]!.GetValue<bool>());
        Assert.Null(q["behind_since"]);
    }

    [Fact]
    public async Task Stats_of_all_queues_list_each_queue_once_with_the_settings_they_are_judged_by()
    {
        var queue = await FewJobsAsync(fixture);
        var idle = Names.Queue("idle");
        await _http.EnqueueAsync(idle);

        var stats = await fixture.Server.Client.GetStatsAsync();

        Assert.Equal(300, stats.WindowSeconds);
        Assert.Equal(30, stats.DelayWarningSeconds);
        Assert.Equal(60, stats.DelayWarningPeriodSeconds);
        var names = stats.Queues.Select(q => q.Queue).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        var busy = Assert.Single(stats.Queues, q => q.Queue == queue);
        Assert.Equal(4, busy.Processed);
        Assert.Equal(4000, busy.Delay.P95Ms);
        var waiting = Assert.Single(stats.Queues, q => q.Queue == idle);
        Assert.Equal(0, waiting.Processed);
        Assert.Equal(1, waiting.Backlog);
        Assert.Null(waiting.Delay.P50Ms);
        Assert.Equal(0, waiting.JobsPerMinute);
    }

    [Fact]
    public async Task Stats_of_an_unknown_queue_are_404_and_of_a_malformed_name_400()
    {
        ProblemAssert.IsProblem(await _http.ApiGetAsync($"/api/stats/{Names.Queue("never")}"), 404, "no queue");
        ProblemAssert.IsProblem(await _http.ApiGetAsync("/api/stats/bad%20name"), 400, "queue");
        Assert.Null(await fixture.Server.Client.GetStatsAsync(Names.Queue("never")));
    }

    [Fact]
    public async Task Queue_whose_delay_p95_stays_above_the_threshold_is_flagged_and_warned_about_once()
    {
        var queue = Names.Queue("behind");
        var id = await _http.EnqueueAsync(queue);
        Advance(45);
        var (_, attempt) = await _http.FetchOneAsync(queue, wait: 0);
        await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}}}""");
        var firstLook = fixture.Now;

        var early = (await _http.ApiGetAsync($"/api/stats/{queue}")).Json;
        Assert.Equal(45000, early["delay"]!["p95_ms"]!.GetValue<double>());
        Assert.False(early["falling_behind"]!.GetValue<bool>()); // above 30 s, but not yet for a minute

        Advance(60);
        var late = (await _http.ApiGetAsync($"/api/stats/{queue}")).Json;
        Assert.True(late["falling_behind"]!.GetValue<bool>());
        Assert.Equal(firstLook, late["behind_since"]!.GetValue<DateTimeOffset>());
        await _http.ApiGetAsync("/api/stats");
        Advance(10);
        await _http.ApiGetAsync($"/api/stats/{queue}");

        var warning = Assert.Single(Warnings(queue));
        Assert.Contains("falling behind", warning.Message);
        Assert.Contains("add workers", warning.Message);

        // The slow job leaves the window; a minute on time later the queue has caught up, and that is said once too.
        Advance(300);
        await _http.ApiGetAsync($"/api/stats/{queue}");
        Advance(60);
        var recovered = (await _http.ApiGetAsync($"/api/stats/{queue}")).Json;
        Assert.False(recovered["falling_behind"]!.GetValue<bool>());
        await Eventually.TrueAsync(() => Warnings(queue).Count == 2, "the caught-up warning");
        Assert.Contains("caught up", Warnings(queue)[1].Message);
    }

    private List<LogEntry> Warnings(string queue) =>
        fixture.Logs.Entries.Where(e => e.Level == LogLevel.Warning && Equals(e.Fields.GetValueOrDefault("Queue"), queue)).ToList();

    [Fact]
    public async Task Metrics_are_prometheus_text_with_counters_histograms_and_gauges()
    {
        var queue = await FewJobsAsync(fixture);

        var r = await _http.ApiGetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal("text/plain", r.ContentType);
        var lines = r.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        double Sample(string series) =>
            double.Parse(Assert.Single(lines, l => l.StartsWith(series + " ", StringComparison.Ordinal))[(series.Length + 1)..], CultureInfo.InvariantCulture);
        var q = $"queue=\"{queue}\"";

        Assert.Equal(3, Sample($"gantry_jobs_processed_total{{{q},outcome=\"succeeded\"}}"));
        Assert.Equal(1, Sample($"gantry_jobs_processed_total{{{q},outcome=\"dead\"}}"));
        Assert.Equal(0, Sample($"gantry_jobs_processed_total{{{q},outcome=\"failed\"}}"));
        Assert.Equal(0, Sample($"gantry_job_delay_seconds_bucket{{{q},le=\"2.5\"}}"));
        Assert.Equal(4, Sample($"gantry_job_delay_seconds_bucket{{{q},le=\"5\"}}"));
        Assert.Equal(4, Sample($"gantry_job_delay_seconds_bucket{{{q},le=\"+Inf\"}}"));
        Assert.Equal(16, Sample($"gantry_job_delay_seconds_sum{{{q}}}"));
        Assert.Equal(4, Sample($"gantry_job_delay_seconds_count{{{q}}}"));
        Assert.Equal(0, Sample($"gantry_job_process_seconds_bucket{{{q},le=\"0.5\"}}"));
        Assert.Equal(4, Sample($"gantry_job_process_seconds_bucket{{{q},le=\"1\"}}")); // le: at or below
        Assert.Equal(4, Sample($"gantry_job_process_seconds_sum{{{q}}}"));
        Assert.Equal(2, Sample($"gantry_queue_backlog{{{q}}}"));
        Assert.Equal(1, Sample($"gantry_queue_running{{{q}}}"));
        Assert.Equal(0, Sample($"gantry_queue_falling_behind{{{q}}}"));
        foreach (var (name, type) in new[] { ("gantry_jobs_processed_total", "counter"), ("gantry_job_delay_seconds", "histogram"),
                     ("gantry_job_process_seconds", "histogram"), ("gantry_queue_backlog", "gauge") })
        {
            Assert.Single(lines, l => l == $"# TYPE {name} {type}");
            Assert.Single(lines, l => l.StartsWith($"# HELP {name} ", StringComparison.Ordinal));
        }
        // Every sample line is "name{labels} number".
        Assert.All(lines.Where(l => !l.StartsWith('#')), l => Assert.Matches(@"^[a-z_]+\{[^}]*\} -?[0-9.e+E-]+$", l));
    }
}

public sealed class StatsApiOnSqlite(SqliteStatsServerFixture f) : StatsApiTests(f), IClassFixture<SqliteStatsServerFixture>;

public sealed class StatsApiOnPostgres(PostgresStatsServerFixture f) : StatsApiTests(f), IClassFixture<PostgresStatsServerFixture>;
