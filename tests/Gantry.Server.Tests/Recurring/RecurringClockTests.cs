using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Recurring;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gantry.Server.Tests.Recurring;

/// <summary>
/// The whole server on a manual clock: cron ticks, time zones across clock changes, misfire policies across a restart,
/// skip-if-running, pause and configured schedules. Each step moves the clock and then runs a firing pass itself, racing
/// the server's own recurring loop on purpose: a tick fires once whoever gets there first, so the job counts are exact.
/// </summary>
public abstract class RecurringClockTests : IAsyncLifetime
{
    private TestStore _store = null!;
    private readonly List<InProcessServer> _servers = [];

    protected ManualTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 6, 12, 0, 0, TimeSpan.Zero));
    protected InProcessServer Server { get; private set; } = null!;

    protected abstract Task<TestStore> CreateStoreAsync();

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        Server = await StartServerAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var s in _servers) await s.DisposeAsync();
        await _store.DisposeAsync();
    }

    /// <summary>The other housekeeping loops wake once an hour: a test that moves the clock by days would otherwise
    /// fire their one-second timers hundreds of thousands of times.</summary>
    private static readonly Dictionary<string, string?> SlowHousekeeping = new()
    {
        ["Gantry:Timings:LeaseCheckInterval"] = "01:00:00",
        ["Gantry:Timings:SchedulerMaxSleep"] = "01:00:00",
        ["Gantry:Timings:FallbackPollInterval"] = "01:00:00",
        ["Gantry:Retention:PruneInterval"] = "1.00:00:00",
        ["Gantry:Stats:CheckInterval"] = "01:00:00",
    };

    private async Task<InProcessServer> StartServerAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var server = await InProcessServer.StartAsync(_store, TestSettings.Merge(SlowHousekeeping, settings),
            services => services.AddSingleton<TimeProvider>(Time));
        _servers.Add(server);
        return server;
    }

    /// <summary>Stops the server (a restart's first half); the store and the clock go on.</summary>
    private async Task StopServerAsync()
    {
        _servers.Remove(Server);
        await Server.DisposeAsync();
    }

    private RecurringSchedules Schedules => Server.App.Services.GetRequiredService<RecurringSchedules>();

    private async Task<RecurringSchedule> SaveAsync(string cron, string queue, string zone = "UTC", MisfirePolicy misfire = MisfirePolicy.FireOnce,
        bool skipIfRunning = false, TimeSpan? timeout = null) =>
        (await Schedules.SaveAsync(new RecurringRequest
        {
            Name = queue, Cron = cron, Queue = queue, TimeZone = zone, Misfire = misfire, SkipIfRunning = skipIfRunning, Timeout = timeout,
        })).Schedule;

    /// <summary>Moves the clock to the schedule's next tick, <paramref name="count"/> times, firing at each.</summary>
    private async Task StepThroughTicksAsync(string name, int count)
    {
        for (var i = 0; i < count; i++) await StepToAsync((await Schedules.GetAsync(name))!.NextFireAt!.Value);
    }

    private async Task StepToAsync(DateTimeOffset time)
    {
        Time.AdvanceTo(time);
        await Schedules.FireDueAsync();
    }

    private async Task<List<Job>> JobsAsync(string queue) =>
        (await Server.App.Services.GetRequiredService<JobEngine>().ListAsync(new JobQuery(queue, null, 500, null)))
        .Jobs.OrderBy(j => j.Id).ToList();

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0, int second = 0) =>
        new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public async Task Each_tick_enqueues_one_job_due_at_the_tick()
    {
        var queue = Names.Queue();
        await SaveAsync("* * * * *", queue);

        for (var minute = 1; minute <= 5; minute++) await StepToAsync(Utc(3, 6, 12, minute, 7));
        await StepToAsync(Utc(3, 6, 12, 5, 59));

        var jobs = await JobsAsync(queue);
        Assert.Equal([.. Enumerable.Range(1, 5).Select(m => Utc(3, 6, 12, m))], jobs.Select(j => j.RunAt));
        Assert.All(jobs, j => Assert.Equal(JobState.Available, j.State));
        var schedule = (await Schedules.GetAsync(queue))!;
        Assert.Equal(Utc(3, 6, 12, 6), schedule.NextFireAt);
        Assert.Equal(Utc(3, 6, 12, 5), schedule.LastFireAt);
        Assert.Equal(jobs[^1].Id, schedule.LastJobId);
    }

    [Fact]
    public async Task The_server_loop_fires_a_tick_when_the_clock_reaches_it()
    {
        var queue = Names.Queue();
        await SaveAsync("*/10 * * * * *", queue);

        Time.AdvanceTo(Utc(3, 6, 12, 0, 10));

        // No pass run by the test: only the server's own loop, woken by its timer on the manual clock, can enqueue this.
        // A loop that read the clock just before the move sets its timer relative to the moved clock (up to 10 s on), so
        // the clock creeps forward a second at a time until the loop has fired; the 12:00:10 tick comes first whenever.
        await Eventually.TrueAsync(async () =>
        {
            if ((await JobsAsync(queue)).Count > 0) return true;
            if (Time.GetUtcNow() < Utc(3, 6, 12, 0, 30)) Time.Advance(TimeSpan.FromSeconds(1));
            return false;
        }, "the loop fires the 12:00:10 tick");
        Assert.Equal(Utc(3, 6, 12, 0, 10), (await JobsAsync(queue))[0].RunAt);
    }

    [Fact]
    public async Task A_daily_time_in_a_time_zone_follows_its_clock_through_spring_forward()
    {
        var queue = Names.Queue();
        // 02:30 in New York. On 2026-03-08 the clocks jump from 02:00 to 03:00, so that day it fires at 03:00 EDT.
        await SaveAsync("30 2 * * *", queue, "America/New_York");

        await StepThroughTicksAsync(queue, 5);

        Assert.Equal(
            [Utc(3, 7, 7, 30), Utc(3, 8, 7, 0), Utc(3, 9, 6, 30), Utc(3, 10, 6, 30), Utc(3, 11, 6, 30)],
            (await JobsAsync(queue)).Select(j => j.RunAt));
    }

    [Fact]
    public async Task A_daily_time_in_a_time_zone_fires_once_when_fall_back_repeats_it()
    {
        var queue = Names.Queue();
        Time.AdvanceTo(Utc(10, 30, 12));
        // 01:30 in New York happens twice on 2026-11-01 (clocks go back from 02:00 to 01:00); it fires at the first.
        await SaveAsync("30 1 * * *", queue, "America/New_York");

        await StepThroughTicksAsync(queue, 3);

        Assert.Equal([Utc(10, 31, 5, 30), Utc(11, 1, 5, 30), Utc(11, 2, 6, 30)], (await JobsAsync(queue)).Select(j => j.RunAt));
    }

    [Theory]
    [InlineData(MisfirePolicy.FireOnce, 1)]
    [InlineData(MisfirePolicy.Skip, 0)]
    public async Task Ticks_missed_while_no_server_ran_follow_the_misfire_policy(MisfirePolicy policy, int catchUpJobs)
    {
        var queue = Names.Queue();
        await SaveAsync("0 * * * *", queue, misfire: policy);
        await StepToAsync(Utc(3, 6, 13, 0, 1));
        Assert.Single(await JobsAsync(queue));

        await StopServerAsync();
        Time.AdvanceTo(Utc(3, 6, 17, 20)); // 14:00, 15:00, 16:00 and 17:00 pass with no server
        Server = await StartServerAsync();
        await Schedules.FireDueAsync();

        var jobs = await JobsAsync(queue);
        Assert.Equal(1 + catchUpJobs, jobs.Count);
        if (catchUpJobs == 1) Assert.Equal(Utc(3, 6, 17, 20), jobs[^1].RunAt); // due now, not back at the missed tick
        Assert.Equal(Utc(3, 6, 18), (await Schedules.GetAsync(queue))!.NextFireAt);

        await StepToAsync(Utc(3, 6, 18, 0, 1));
        Assert.Equal(2 + catchUpJobs, (await JobsAsync(queue)).Count);
    }

    [Fact]
    public async Task A_restart_shorter_than_the_misfire_threshold_loses_no_tick()
    {
        var queue = Names.Queue();
        await SaveAsync("* * * * *", queue, misfire: MisfirePolicy.Skip);
        await StepToAsync(Utc(3, 6, 12, 1, 1));

        await StopServerAsync();
        Time.AdvanceTo(Utc(3, 6, 12, 2, 40)); // the 12:02 tick passes during the restart, 40 s before the server is back
        Server = await StartServerAsync();
        await Schedules.FireDueAsync();

        Assert.Equal([Utc(3, 6, 12, 1), Utc(3, 6, 12, 2)], (await JobsAsync(queue)).Select(j => j.RunAt));
    }

    [Fact]
    public async Task Skip_if_running_skips_ticks_until_the_last_job_finishes()
    {
        var queue = Names.Queue();
        // A lease longer than the test, so the running job stays running while the clock moves (no lease expiry, no retry).
        await SaveAsync("* * * * *", queue, skipIfRunning: true, timeout: TimeSpan.FromHours(1));
        var engine = Server.App.Services.GetRequiredService<JobEngine>();
        await StepToAsync(Utc(3, 6, 12, 1));
        var leased = Assert.Single(await engine.FetchAsync(queue, 1, TimeSpan.Zero));

        await StepToAsync(Utc(3, 6, 12, 2));
        await StepToAsync(Utc(3, 6, 12, 3));
        Assert.Single(await JobsAsync(queue));

        await engine.CompleteAsync([new Completion(leased.Id, leased.Attempt, null)]);
        await StepToAsync(Utc(3, 6, 12, 4));
        Assert.Equal([Utc(3, 6, 12, 1), Utc(3, 6, 12, 4)], (await JobsAsync(queue)).Select(j => j.RunAt));
    }

    [Fact]
    public async Task A_paused_schedule_fires_nothing_and_resumes_from_the_next_tick()
    {
        var queue = Names.Queue();
        await SaveAsync("* * * * *", queue);
        await Schedules.SetPausedAsync(queue, true);

        await StepToAsync(Utc(3, 6, 12, 3, 30));
        Assert.Empty(await JobsAsync(queue));

        var resumed = await Schedules.SetPausedAsync(queue, false);
        Assert.Equal(Utc(3, 6, 12, 4), resumed.NextFireAt);
        await StepToAsync(Utc(3, 6, 12, 4));
        Assert.Equal([Utc(3, 6, 12, 4)], (await JobsAsync(queue)).Select(j => j.RunAt));
    }

    [Fact]
    public async Task A_stored_schedule_this_server_cannot_read_is_left_alone_without_stalling_the_others()
    {
        var queue = Names.Queue();
        await SaveAsync("* * * * *", queue);
        // As if another server with other time zone data saved it: the store holds a zone this server does not know.
        var store = Server.App.Services.GetRequiredService<Gantry.Core.Storage.IRecurringStore>();
        var good = (await Schedules.GetAsync(queue))!;
        await store.RecurringSave(good with { Definition = good.Definition with { Name = "unreadable", TimeZone = "Mars/Olympus_Mons" } }, default);

        Time.AdvanceTo(Utc(3, 6, 12, 1));
        var pass = await Schedules.FireDueAsync(); // returns: the unreadable one does not keep it going round

        Assert.True(pass.LeftDue);
        Assert.Single(await JobsAsync(queue)); // fired by this pass or by the server's loop, once
        Assert.Equal(Utc(3, 6, 12, 1), (await store.RecurringGet("unreadable", default))!.NextFireAt);
    }

    [Fact]
    public async Task Trigger_enqueues_now_and_leaves_the_ticks_alone()
    {
        var queue = Names.Queue();
        var saved = await SaveAsync("0 * * * *", queue);

        var id = await Schedules.TriggerAsync(queue);

        var job = Assert.Single(await JobsAsync(queue));
        Assert.Equal(id, job.Id);
        Assert.Equal(Time.GetUtcNow(), job.RunAt);
        Assert.Equal(saved.NextFireAt, (await Schedules.GetAsync(queue))!.NextFireAt);
    }

    [Fact]
    public async Task A_configured_schedule_keeps_its_next_tick_across_restarts_and_a_changed_one_starts_afresh()
    {
        var queue = Names.Queue();
        var name = "cfg-" + queue;
        Dictionary<string, string?> Config(string cron) => new()
        {
            [$"Gantry:Recurring:Schedules:{name}:Cron"] = cron,
            [$"Gantry:Recurring:Schedules:{name}:Queue"] = queue,
            [$"Gantry:Recurring:Schedules:{name}:Payload"] = "{\"from\":\"config\"}",
        };
        await StopServerAsync();
        Server = await StartServerAsync(Config("0 * * * *"));
        var first = (await Schedules.GetAsync(name))!;
        Assert.Equal(RecurringSource.Config, first.Source);
        Assert.Equal(Utc(3, 6, 13), first.NextFireAt);

        await StopServerAsync();
        Time.AdvanceTo(Utc(3, 6, 13, 0, 30)); // the 13:00 tick passes while the server restarts with the same file
        Server = await StartServerAsync(Config("0 * * * *"));
        await Schedules.FireDueAsync();
        Assert.Equal([Utc(3, 6, 13)], (await JobsAsync(queue)).Select(j => j.RunAt));

        await StopServerAsync();
        Server = await StartServerAsync(Config("*/15 * * * *"));
        Assert.Equal(Utc(3, 6, 13, 15), (await Schedules.GetAsync(name))!.NextFireAt);
    }
}

public sealed class SqliteRecurringClockTests : RecurringClockTests
{
    protected override Task<TestStore> CreateStoreAsync() => Task.FromResult(TestStore.Sqlite());
}

public sealed class PostgresRecurringClockTests : RecurringClockTests
{
    protected override Task<TestStore> CreateStoreAsync() => TestStore.PostgresAsync();
}
