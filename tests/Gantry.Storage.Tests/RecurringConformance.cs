using System.Text;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Recurring;
using Gantry.Core.Storage;
using Xunit;

namespace Gantry.Storage.Tests;

/// <summary>The recurring schedules port (<see cref="IRecurringStore"/>), above all: a tick fires once, across servers.</summary>
public abstract class RecurringConformance(StoreDriver driver) : StoreConformance(driver)
{
    private RecurringSchedule Schedule(string name = "nightly", DateTimeOffset? next = null, bool paused = false,
        MisfirePolicy misfire = MisfirePolicy.FireOnce, bool skipIfRunning = false, string queue = "reports") =>
        new(new RecurringDefinition(name, "0 3 * * *", "Europe/Berlin", queue, Encoding.UTF8.GetBytes("{\"kind\":\"nightly\"}"),
                Priority: 4, MaxAttempts: 2, Timeout: TimeSpan.FromSeconds(90), misfire, skipIfRunning),
            RecurringSource.Api, paused, next ?? S.Now + TimeSpan.FromMinutes(1), null, null, S.Now, S.Now);

    private RecurringFire Tick(RecurringSchedule s, DateTimeOffset? next = null, bool withJob = true, bool skipIfRunning = false) =>
        new(s.Name, s.NextFireAt, s.NextFireAt, next ?? s.NextFireAt!.Value + TimeSpan.FromDays(1),
            withJob ? S.Job(queue: s.Definition.Queue, payload: "tick") : null, skipIfRunning, S.Now);

    [Fact]
    public async Task Saved_schedule_reads_back_with_every_field()
    {
        var s = Schedule();
        await S.Recurring.RecurringSave(s, default);

        var read = await S.Recurring.RecurringGet("nightly", default);
        Assert.NotNull(read);
        Assert.True(read.Definition.SameAs(s.Definition));
        Assert.Equal(RecurringSource.Api, read.Source);
        Assert.False(read.Paused);
        Assert.Equal(s.NextFireAt, read.NextFireAt);
        Assert.Null(read.LastFireAt);
        Assert.Null(read.LastJobId);
        Assert.Equal(S.Now, read.CreatedAt);
        Assert.Null(await S.Recurring.RecurringGet("other", default));
    }

    [Fact]
    public async Task Saving_again_replaces_the_definition_and_keeps_created_time_and_last_fire()
    {
        var s = Schedule(next: S.Now);
        await S.Recurring.RecurringSave(s, default);
        var fired = await S.Recurring.RecurringFire(Tick(s), default);
        S.Time.Advance(TimeSpan.FromHours(1));

        var changed = s with
        {
            Definition = s.Definition with { Cron = "*/5 * * * *", Queue = "other", Priority = null, Misfire = MisfirePolicy.Skip },
            Source = RecurringSource.Config, Paused = true, NextFireAt = S.Now + TimeSpan.FromMinutes(5), CreatedAt = S.Now, UpdatedAt = S.Now,
        };
        await S.Recurring.RecurringSave(changed, default);

        var read = (await S.Recurring.RecurringGet("nightly", default))!;
        Assert.Equal("*/5 * * * *", read.Definition.Cron);
        Assert.Equal("other", read.Definition.Queue);
        Assert.Null(read.Definition.Priority);
        Assert.Equal(MisfirePolicy.Skip, read.Definition.Misfire);
        Assert.Equal(RecurringSource.Config, read.Source);
        Assert.True(read.Paused);
        Assert.Equal(changed.NextFireAt, read.NextFireAt);
        Assert.Equal(s.CreatedAt, read.CreatedAt);
        Assert.Equal(S.Now, read.UpdatedAt);
        Assert.Equal(s.NextFireAt, read.LastFireAt);
        Assert.Equal(fired.JobId, read.LastJobId);
    }

    [Fact]
    public async Task List_is_by_name_and_due_is_unpaused_schedules_at_or_before_now_earliest_first()
    {
        await S.Recurring.RecurringSave(Schedule("c", next: S.Now - TimeSpan.FromSeconds(1)), default);
        await S.Recurring.RecurringSave(Schedule("a", next: S.Now), default);
        await S.Recurring.RecurringSave(Schedule("b", next: S.Now - TimeSpan.FromSeconds(5), paused: true), default);
        await S.Recurring.RecurringSave(Schedule("d", next: S.Now + TimeSpan.FromSeconds(1)), default);
        await S.Recurring.RecurringSave(Schedule("e") with { NextFireAt = null }, default);

        Assert.Equal(["a", "b", "c", "d", "e"], (await S.Recurring.RecurringList(default)).Select(s => s.Name));
        Assert.Equal(["c", "a"], (await S.Recurring.RecurringGetDue(S.Now, 10, default)).Select(s => s.Name));
        Assert.Equal(["c"], (await S.Recurring.RecurringGetDue(S.Now, 1, default)).Select(s => s.Name));
        Assert.Equal(S.Now - TimeSpan.FromSeconds(1), await S.Recurring.RecurringGetNextFireAt(default));
    }

    [Fact]
    public async Task Next_fire_time_is_null_without_unpaused_schedules()
    {
        Assert.Null(await S.Recurring.RecurringGetNextFireAt(default));
        await S.Recurring.RecurringSave(Schedule(paused: true), default);
        Assert.Null(await S.Recurring.RecurringGetNextFireAt(default));
    }

    [Fact]
    public async Task Firing_a_tick_inserts_the_job_and_moves_the_schedule_on()
    {
        var s = Schedule(next: S.Now);
        await S.Recurring.RecurringSave(s, default);
        var next = S.Now + TimeSpan.FromDays(1);

        var result = await S.Recurring.RecurringFire(Tick(s, next), default);

        Assert.Equal(RecurringFireOutcome.Fired, result.Outcome);
        var job = await S.Get(result.JobId!.Value);
        Assert.Equal("reports", job.Queue);
        Assert.Equal("tick", Encoding.UTF8.GetString(job.Payload.Span));
        Assert.Equal(JobState.Available, job.State);
        var read = (await S.Recurring.RecurringGet(s.Name, default))!;
        Assert.Equal(next, read.NextFireAt);
        Assert.Equal(s.NextFireAt, read.LastFireAt);
        Assert.Equal(result.JobId, read.LastJobId);
        Assert.Single(await S.Jobs.JobGetAvailable("reports", 10, S.Now, default));
    }

    [Fact]
    public async Task A_tick_fired_once_is_stale_the_second_time()
    {
        var s = Schedule(next: S.Now);
        await S.Recurring.RecurringSave(s, default);

        Assert.Equal(RecurringFireOutcome.Fired, (await S.Recurring.RecurringFire(Tick(s), default)).Outcome);
        Assert.Equal(RecurringFireOutcome.Stale, (await S.Recurring.RecurringFire(Tick(s), default)).Outcome);

        Assert.Single((await S.Jobs.JobList(new JobQuery("reports", null, 100, null), default)).Jobs);
    }

    [Fact]
    public async Task The_fire_record_refuses_a_tick_again_even_when_the_schedule_is_set_back_to_it()
    {
        // The guarantee is the unique (schedule, tick) record, not the next-fire-time check: set the schedule back to a
        // tick it already fired (as a buggy or racing writer might) and the store still refuses to fire it.
        var s = Schedule(next: S.Now);
        await S.Recurring.RecurringSave(s, default);
        Assert.Equal(RecurringFireOutcome.Fired, (await S.Recurring.RecurringFire(Tick(s), default)).Outcome);

        await S.Recurring.RecurringSave(s, default);
        var again = await S.Recurring.RecurringFire(Tick(s), default);

        Assert.Equal(RecurringFireOutcome.Stale, again.Outcome);
        Assert.Null(again.JobId);
        Assert.Single((await S.Jobs.JobList(new JobQuery("reports", null, 100, null), default)).Jobs);
        // …and the schedule moves past the tick, so a firing loop does not meet it again.
        Assert.Equal(Tick(s).NextFireAt, (await S.Recurring.RecurringGet(s.Name, default))!.NextFireAt);
        Assert.Empty(await S.Recurring.RecurringGetDue(S.Now, 10, default));
    }

    [Fact]
    public async Task A_fire_that_expects_another_next_time_or_a_paused_or_missing_schedule_does_nothing()
    {
        var s = Schedule(next: S.Now);
        await S.Recurring.RecurringSave(s, default);

        var moved = Tick(s) with { ExpectedNextFireAt = S.Now - TimeSpan.FromMinutes(1) };
        Assert.Equal(RecurringFireOutcome.Stale, (await S.Recurring.RecurringFire(moved, default)).Outcome);
        await S.Recurring.RecurringSave(s with { Paused = true }, default);
        Assert.Equal(RecurringFireOutcome.Stale, (await S.Recurring.RecurringFire(Tick(s), default)).Outcome);
        Assert.Equal(RecurringFireOutcome.NotFound, (await S.Recurring.RecurringFire(Tick(s) with { Name = "nope" }, default)).Outcome);

        Assert.Empty((await S.Jobs.JobList(new JobQuery("reports", null, 100, null), default)).Jobs);
        Assert.Equal(s.NextFireAt, (await S.Recurring.RecurringGet(s.Name, default))!.NextFireAt);
    }

    [Fact]
    public async Task Skip_if_running_records_the_tick_without_a_job_while_the_last_job_is_unfinished()
    {
        var s = Schedule(next: S.Now, skipIfRunning: true);
        await S.Recurring.RecurringSave(s, default);
        var first = await S.Recurring.RecurringFire(Tick(s, S.Now + TimeSpan.FromMinutes(1), skipIfRunning: true), default);
        var leased = await S.LeaseOne("reports");
        Assert.Equal(first.JobId, leased.Id);

        S.Time.Advance(TimeSpan.FromMinutes(1));
        var running = (await S.Recurring.RecurringGet(s.Name, default))!;
        var skipped = await S.Recurring.RecurringFire(Tick(running, S.Now + TimeSpan.FromMinutes(1), skipIfRunning: true), default);
        Assert.Equal(RecurringFireOutcome.SkippedRunning, skipped.Outcome);
        Assert.Null(skipped.JobId);
        var afterSkip = (await S.Recurring.RecurringGet(s.Name, default))!;
        Assert.Equal(S.Now + TimeSpan.FromMinutes(1), afterSkip.NextFireAt);
        Assert.Equal(first.JobId, afterSkip.LastJobId);

        await S.Jobs.JobSetCompleted([new Completion(leased.Id, leased.Attempt, null)], S.Now, default);
        S.Time.Advance(TimeSpan.FromMinutes(1));
        var fired = await S.Recurring.RecurringFire(Tick(afterSkip, skipIfRunning: true), default);
        Assert.Equal(RecurringFireOutcome.Fired, fired.Outcome);
        Assert.NotEqual(first.JobId, fired.JobId);
    }

    [Fact]
    public async Task A_skipped_misfire_records_the_tick_and_moves_on_without_a_job()
    {
        var s = Schedule(next: S.Now - TimeSpan.FromHours(5), misfire: MisfirePolicy.Skip);
        await S.Recurring.RecurringSave(s, default);
        var next = S.Now + TimeSpan.FromHours(1);

        var result = await S.Recurring.RecurringFire(Tick(s, next, withJob: false), default);

        Assert.Equal(RecurringFireOutcome.SkippedMisfire, result.Outcome);
        Assert.Empty((await S.Jobs.JobList(new JobQuery("reports", null, 100, null), default)).Jobs);
        var read = (await S.Recurring.RecurringGet(s.Name, default))!;
        Assert.Equal(next, read.NextFireAt);
        Assert.Equal(s.NextFireAt, read.LastFireAt);
        Assert.Equal(RecurringFireOutcome.Stale, (await S.Recurring.RecurringFire(Tick(s, next, withJob: false), default)).Outcome);
    }

    [Fact]
    public async Task A_trigger_inserts_a_job_and_leaves_the_ticks_alone()
    {
        var s = Schedule(paused: true);
        await S.Recurring.RecurringSave(s, default);

        var result = await S.Recurring.RecurringFire(new RecurringFire(s.Name, null, null, null, S.Job(queue: "reports"), false, S.Now), default);

        Assert.Equal(RecurringFireOutcome.Fired, result.Outcome);
        var read = (await S.Recurring.RecurringGet(s.Name, default))!;
        Assert.Equal(s.NextFireAt, read.NextFireAt);
        Assert.Null(read.LastFireAt);
        Assert.Equal(result.JobId, read.LastJobId);
        Assert.Equal(JobState.Available, (await S.Get(result.JobId!.Value)).State);
    }

    [Fact]
    public async Task Deleting_a_schedule_deletes_its_fire_records()
    {
        var s = Schedule(next: S.Now);
        await S.Recurring.RecurringSave(s, default);
        await S.Recurring.RecurringFire(Tick(s), default);

        Assert.True(await S.Recurring.RecurringDelete(s.Name, default));
        Assert.False(await S.Recurring.RecurringDelete(s.Name, default));
        Assert.Null(await S.Recurring.RecurringGet(s.Name, default));

        // A new schedule of the same name starts with no history: its first tick fires even if it is the old one's.
        await S.Recurring.RecurringSave(s, default);
        Assert.Equal(RecurringFireOutcome.Fired, (await S.Recurring.RecurringFire(Tick(s), default)).Outcome);
    }

    [Fact]
    public async Task Fire_records_list_newest_tick_first_with_outcome_and_job()
    {
        var s = Schedule(next: S.Now, skipIfRunning: true);
        await S.Recurring.RecurringSave(s, default);
        var first = await S.Recurring.RecurringFire(Tick(s, S.Now + TimeSpan.FromMinutes(1), skipIfRunning: true), default);
        S.Time.Advance(TimeSpan.FromMinutes(1));
        await S.Recurring.RecurringFire(Tick((await S.Recurring.RecurringGet(s.Name, default))!, S.Now + TimeSpan.FromMinutes(1), skipIfRunning: true), default);
        S.Time.Advance(TimeSpan.FromMinutes(1));
        await S.Recurring.RecurringFire(Tick((await S.Recurring.RecurringGet(s.Name, default))!, S.Now + TimeSpan.FromMinutes(1), withJob: false), default);

        var fires = await S.Recurring.RecurringListFires(s.Name, 10, default);

        Assert.Equal([RecurringFireOutcome.SkippedMisfire, RecurringFireOutcome.SkippedRunning, RecurringFireOutcome.Fired], fires.Select(f => f.Outcome));
        Assert.Equal([S.Now, S.Now - TimeSpan.FromMinutes(1), S.Now - TimeSpan.FromMinutes(2)], fires.Select(f => f.Tick));
        Assert.Equal([null, null, first.JobId], fires.Select(f => f.JobId));
        Assert.Equal(S.Now, fires[0].FiredAt);
        Assert.Equal(2, (await S.Recurring.RecurringListFires(s.Name, 2, default)).Count);
        Assert.Empty(await S.Recurring.RecurringListFires("other", 10, default));
    }

    [Fact]
    public async Task Old_fire_records_are_deleted_in_batches()
    {
        var s = Schedule(next: S.Now);
        await S.Recurring.RecurringSave(s, default);
        var current = s;
        for (var i = 0; i < 5; i++)
        {
            await S.Recurring.RecurringFire(Tick(current, current.NextFireAt!.Value + TimeSpan.FromMinutes(1), withJob: false), default);
            current = (await S.Recurring.RecurringGet(s.Name, default))!;
        }

        Assert.Equal(2, await S.Recurring.RecurringDeleteFiresBefore(S.Now + TimeSpan.FromMinutes(4), 2, default));
        Assert.Equal(2, await S.Recurring.RecurringDeleteFiresBefore(S.Now + TimeSpan.FromMinutes(4), 10, default));
        Assert.Equal(0, await S.Recurring.RecurringDeleteFiresBefore(S.Now + TimeSpan.FromMinutes(4), 10, default));
        Assert.Equal(1, await S.Recurring.RecurringDeleteFiresBefore(S.Now + TimeSpan.FromMinutes(5), 10, default));
    }

    [Fact]
    public async Task Concurrent_fires_of_one_tick_from_every_server_make_one_job()
    {
        var stores = new List<IStore> { S.Store };
        if (Driver.SupportsSeveralServers) stores.Add(await OpenAsync(new JobSignals(), S.Time));
        var current = Schedule(next: S.Now);
        await S.Recurring.RecurringSave(current, default);

        for (var tick = 0; tick < 5; tick++)
        {
            var fire = Tick(current, current.NextFireAt!.Value + TimeSpan.FromSeconds(1));
            var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => stores[i % stores.Count].Recurring.RecurringFire(fire, default))));
            Assert.Single(results, r => r.Outcome == RecurringFireOutcome.Fired);
            Assert.All(results.Where(r => r.Outcome != RecurringFireOutcome.Fired), r => Assert.Equal(RecurringFireOutcome.Stale, r.Outcome));
            current = (await S.Recurring.RecurringGet(current.Name, default))!;
        }
        Assert.Equal(5, (await S.Jobs.JobList(new JobQuery("reports", null, 100, null), default)).Jobs.Count);
    }
}
