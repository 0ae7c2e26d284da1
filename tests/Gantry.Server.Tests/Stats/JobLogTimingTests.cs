using Gantry.Core.Stats;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gantry.Server.Tests.Stats;

/// <summary>
/// The job log through the real server: each attempt that ends (completed, failed, lease expired) gives one record
/// whose delay counts from the time the attempt became due — run_at for a delayed job, the retry time for a retried
/// one, never the creation time — and whose process time runs from its start to its end.
/// </summary>
public abstract class JobLogTimingTests(StatsServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Http;

    private void Advance(double seconds) => fixture.Time.Advance(TimeSpan.FromSeconds(seconds));

    [Fact]
    public async Task Delayed_job_delay_counts_from_its_run_at_not_from_when_it_was_enqueued()
    {
        var queue = Names.Queue("delayed");
        var enqueued = fixture.Now;
        var id = await _http.EnqueueAsync(queue, "{}", ""","delay":10""");
        Advance(25);
        await fixture.PromoteDueAsync();
        var (fetched, attempt) = await _http.FetchOneAsync(queue, wait: 0);
        Assert.Equal(id, fetched);
        Advance(3);
        var done = await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}}}""");
        Assert.Equal(200, done.Code);

        var record = Assert.Single(fixture.RecordsOf(id));
        Assert.Equal(new JobRecord(queue, id, 1, JobOutcome.Succeeded, enqueued, enqueued.AddSeconds(10), enqueued.AddSeconds(25),
            enqueued.AddSeconds(28)), record);
        Assert.Equal(TimeSpan.FromSeconds(15), record.Delay);      // 25 − 10, not 25 − 0
        Assert.Equal(TimeSpan.FromSeconds(3), record.ProcessTime);
        var job = await _http.GetJobAsync(id);
        Assert.Equal(15000, job["delay_ms"]!.GetValue<double>());  // the job view agrees with its log
        Assert.Equal(3000, job["process_ms"]!.GetValue<double>());
    }

    [Fact]
    public async Task Retried_job_second_attempt_delay_counts_from_its_retry_time()
    {
        var queue = Names.Queue("retried");
        var enqueued = fixture.Now;
        var id = await _http.EnqueueAsync(queue);
        Advance(2);
        var (_, first) = await _http.FetchOneAsync(queue, wait: 0);
        Advance(1);
        var failed = await _http.ApiPostAsync($"/api/jobs/{id}/fail", $$"""{"attempt":{{first}},"error":"try again"}""");
        Assert.Equal("failed", failed.Json["state"]!.GetValue<string>());
        var retryAt = enqueued.AddSeconds(3) + StatsServerFixture.RetryDelay;              // T+13 s
        Advance(17);                                                                 // T+20 s
        await fixture.PromoteDueAsync();
        var (_, second) = await _http.FetchOneAsync(queue, wait: 0);
        Advance(4);
        Assert.Equal(200, (await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{second}}}""")).Code);

        var records = fixture.RecordsOf(id);
        Assert.Equal(2, records.Count);
        Assert.Equal(new JobRecord(queue, id, 1, JobOutcome.Failed, enqueued, enqueued, enqueued.AddSeconds(2), enqueued.AddSeconds(3)), records[0]);
        Assert.Equal(TimeSpan.FromSeconds(2), records[0].Delay);
        Assert.Equal(TimeSpan.FromSeconds(1), records[0].ProcessTime);
        Assert.Equal(new JobRecord(queue, id, 2, JobOutcome.Succeeded, enqueued, retryAt, enqueued.AddSeconds(20), enqueued.AddSeconds(24)), records[1]);
        Assert.Equal(TimeSpan.FromSeconds(7), records[1].Delay);   // 20 − 13, not 20 − 0
        Assert.Equal(TimeSpan.FromSeconds(4), records[1].ProcessTime);
    }

    [Fact]
    public async Task Expired_lease_is_logged_by_the_rescue_with_the_time_the_worker_held_it()
    {
        var queue = Names.Queue("expired");
        var enqueued = fixture.Now;
        var id = await _http.EnqueueAsync(queue, "{}", ""","timeout":5""");
        Advance(1);
        await _http.FetchOneAsync(queue, wait: 0);
        Advance(6);
        // The lease (5 s from T+1) ran out at T+6; the server's own rescue loop may take it back while the clock moves,
        // so the rescue is done here too and whichever came first wrote the record.
        await fixture.RescueExpiredLeasesAsync();
        await Eventually.TrueAsync(() => fixture.RecordsOf(id).Count > 0, "the expired lease's record");

        var record = Assert.Single(fixture.RecordsOf(id));
        Assert.Equal(JobOutcome.LeaseExpired, record.Outcome);
        Assert.Equal(enqueued.AddSeconds(1), record.StartedAt);
        Assert.Equal(TimeSpan.FromSeconds(1), record.Delay);
        Assert.InRange(record.FinishedAt, enqueued.AddSeconds(6), enqueued.AddSeconds(7));
        Assert.Equal(record.FinishedAt - record.StartedAt, record.ProcessTime);
        Assert.Equal("available", await _http.StateOfAsync(id));
    }

    [Fact]
    public async Task Each_record_is_logged_at_information_in_the_Gantry_JobLog_category_with_its_fields()
    {
        var queue = Names.Queue("logged");
        var id = await _http.EnqueueAsync(queue);
        Advance(2);
        var (_, attempt) = await _http.FetchOneAsync(queue, wait: 0);
        Advance(0.5);
        await _http.ApiPostAsync($"/api/jobs/{id}/fail", $$"""{"attempt":{{attempt}},"error":"no","retry":false}""");

        var entry = Assert.Single(fixture.Logs.Entries, e => e.Category == "Gantry.JobLog" && Equals(e.Fields.GetValueOrDefault("JobId"), id));
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal(queue, entry.Fields["Queue"]);
        Assert.Equal("dead", entry.Fields["Outcome"]);
        Assert.Equal(1, entry.Fields["Attempt"]);
        Assert.Equal(2000.0, entry.Fields["DelayMs"]);
        Assert.Equal(500.0, entry.Fields["ProcessMs"]);
    }
}

public sealed class JobLogTimingOnSqlite(SqliteStatsServerFixture f) : JobLogTimingTests(f), IClassFixture<SqliteStatsServerFixture>;

public sealed class JobLogTimingOnPostgres(PostgresStatsServerFixture f) : JobLogTimingTests(f), IClassFixture<PostgresStatsServerFixture>;
