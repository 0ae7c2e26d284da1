using System.Collections.Concurrent;
using System.Text;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Queues;
using Gantry.Core.Storage;
using Gantry.Testing;
using Xunit;

namespace Gantry.Storage.Tests;

/// <summary>
/// Every behaviour the jobs and queues ports promise (<see cref="IJobStore"/>, <see cref="IQueueStore"/>), run against
/// each driver (ConformanceRuns.cs). A driver is done when this whole suite passes for it.
/// </summary>
public abstract class JobStoreConformance(StoreDriver driver) : StoreConformance(driver)
{
    // ---- enqueue ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Inserted_job_reads_back_with_every_field()
    {
        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var job = S.Job(queue: "emails", priority: 7, uniqueKey: "k1", maxAttempts: 5, timeout: TimeSpan.FromSeconds(42)) with { Payload = payload };
        var result = (await S.Jobs.JobInsertMany([job], default))[0];

        Assert.False(result.Existing);
        Assert.Equal(JobState.Available, result.State);
        var stored = await S.Get(result.Id);
        Assert.Equal("emails", stored.Queue);
        Assert.Equal(JobState.Available, stored.State);
        Assert.Equal(payload, stored.Payload.ToArray());
        Assert.Equal("k1", stored.UniqueKey);
        Assert.Equal(7, stored.Priority);
        Assert.Equal(0, stored.Attempt);
        Assert.Equal(5, stored.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(42), stored.Timeout);
        Assert.Equal(S.Now, stored.CreatedAt);
        Assert.Equal(S.Now, stored.RunAt);
        Assert.Null(stored.StartedAt);
        Assert.Null(stored.FinishedAt);
        Assert.Null(stored.Result);
        Assert.Empty(stored.Errors);
    }

    [Fact]
    public async Task Batch_insert_returns_one_result_per_job_in_order()
    {
        var jobs = Enumerable.Range(0, 250).Select(i => S.Job(payload: $"{{\"n\":{i}}}")).ToList();
        var results = await S.Jobs.JobInsertMany(jobs, default);

        Assert.Equal(250, results.Count);
        Assert.Equal(250, results.Select(r => r.Id).Distinct().Count());
        for (var i = 0; i < results.Count; i++)
            Assert.Equal($"{{\"n\":{i}}}", Encoding.UTF8.GetString((await S.Get(results[i].Id)).Payload.Span));
        Assert.True(results.Zip(results.Skip(1)).All(p => p.First.Id < p.Second.Id), "ids grow in batch order");
    }

    [Fact]
    public async Task Job_with_future_run_at_is_scheduled_and_not_fetched_until_promoted()
    {
        var id = await S.Insert(S.Job(delay: TimeSpan.FromMinutes(5)));
        Assert.Equal(JobState.Scheduled, (await S.Get(id)).State);
        Assert.Equal(S.Now + TimeSpan.FromMinutes(5), await S.Jobs.JobGetNextDueAt(default));
        Assert.Empty(await S.Jobs.JobGetAvailable("q", 10, S.Now, default));

        S.Time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, await S.Jobs.JobPromoteDue(S.Now, 100, default));
        S.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await S.Jobs.JobPromoteDue(S.Now, 100, default));
        Assert.Null(await S.Jobs.JobGetNextDueAt(default));
        var leased = await S.LeaseOne();
        Assert.Equal(id, leased.Id);
    }

    [Fact]
    public async Task Unique_key_held_by_live_job_returns_that_job()
    {
        var first = (await S.Jobs.JobInsertMany([S.Job(uniqueKey: "u")], default))[0];
        var second = (await S.Jobs.JobInsertMany([S.Job(uniqueKey: "u", payload: "\"other\"")], default))[0];

        Assert.False(first.Existing);
        Assert.True(second.Existing);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal("{}", Encoding.UTF8.GetString((await S.Get(first.Id)).Payload.Span));
    }

    [Fact]
    public async Task Unique_key_repeated_within_one_batch_yields_one_job()
    {
        var results = await S.Jobs.JobInsertMany([S.Job(uniqueKey: "u"), S.Job(uniqueKey: "u"), S.Job(uniqueKey: "v")], default);
        Assert.Equal(results[0].Id, results[1].Id);
        Assert.True(results[1].Existing);
        Assert.NotEqual(results[0].Id, results[2].Id);
    }

    [Fact]
    public async Task Unique_key_is_per_queue_and_free_again_once_the_job_finished()
    {
        var a = await S.Insert(S.Job(queue: "a", uniqueKey: "u"));
        var b = await S.Insert(S.Job(queue: "b", uniqueKey: "u"));
        Assert.NotEqual(a, b);

        var leased = await S.LeaseOne("a");
        // Running still holds the key.
        Assert.True((await S.Jobs.JobInsertMany([S.Job(queue: "a", uniqueKey: "u")], default))[0].Existing);
        await S.Jobs.JobSetCompleted([new Completion(leased.Id, leased.Attempt, null)], S.Now, default);
        var again = (await S.Jobs.JobInsertMany([S.Job(queue: "a", uniqueKey: "u")], default))[0];
        Assert.False(again.Existing);
        Assert.NotEqual(a, again.Id);
    }

    // ---- fetch --------------------------------------------------------------------------------------------

    [Fact]
    public async Task Fetch_takes_highest_priority_first_then_oldest()
    {
        var low = await S.Insert(S.Job(priority: -1));
        S.Time.Advance(TimeSpan.FromMilliseconds(1));
        var normalOld = await S.Insert(S.Job());
        S.Time.Advance(TimeSpan.FromMilliseconds(1));
        var high = await S.Insert(S.Job(priority: 5));
        S.Time.Advance(TimeSpan.FromMilliseconds(1));
        var normalNew = await S.Insert(S.Job());

        var first = await S.Jobs.JobGetAvailable("q", 3, S.Now, default);
        Assert.Equal([high, normalOld, normalNew], first.Select(j => j.Id));
        var rest = await S.Jobs.JobGetAvailable("q", 3, S.Now, default);
        Assert.Equal([low], rest.Select(j => j.Id));
    }

    [Fact]
    public async Task Fetch_leases_the_job_as_running_with_attempt_and_lease()
    {
        var id = await S.Insert(S.Job(timeout: TimeSpan.FromSeconds(30)));
        S.Time.Advance(TimeSpan.FromSeconds(2));
        var leased = await S.LeaseOne();

        Assert.Equal(id, leased.Id);
        Assert.Equal(1, leased.Attempt);
        Assert.Equal(S.Now, leased.StartedAt);
        Assert.Equal(S.Now + TimeSpan.FromSeconds(30), leased.LeaseExpiresAt);
        var job = await S.Get(id);
        Assert.Equal(JobState.Running, job.State);
        Assert.Equal(1, job.Attempt);
        Assert.Equal(S.Now, job.StartedAt);
        Assert.Equal(TimeSpan.FromSeconds(2), job.Delay);
        Assert.Empty(await S.Jobs.JobGetAvailable("q", 10, S.Now, default));
    }

    [Fact]
    public async Task Fetch_only_touches_its_own_queue()
    {
        await S.Insert(S.Job(queue: "a"));
        Assert.Empty(await S.Jobs.JobGetAvailable("b", 10, S.Now, default));
        Assert.Single(await S.Jobs.JobGetAvailable("a", 10, S.Now, default));
    }

    [Fact]
    public async Task Paused_queue_hands_out_nothing_until_resumed()
    {
        await S.Insert(S.Job());
        await S.Queues.QueueSetPaused("q", true, S.Now, default);
        Assert.Empty(await S.Jobs.JobGetAvailable("q", 10, S.Now, default));
        Assert.True((await S.Queues.QueueList(default)).Single(q => q.Name == "q").Paused);

        var woken = S.Signals.NextJobsAvailable("q");
        await S.Queues.QueueSetPaused("q", false, S.Now, default);
        await woken.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(await S.Jobs.JobGetAvailable("q", 10, S.Now, default));
    }

    [Fact]
    public async Task Pausing_an_unknown_queue_creates_it()
    {
        await S.Queues.QueueSetPaused("fresh", true, S.Now, default);
        var q = (await S.Queues.QueueList(default)).Single(x => x.Name == "fresh");
        Assert.True(q.Paused);
        Assert.All(q.Counts.Values, c => Assert.Equal(0, c));
    }

    [Fact]
    public async Task Queue_settings_keep_a_lane_and_a_pause_and_list_only_queues_that_have_one()
    {
        await S.Insert(S.Job(queue: "plain"));
        await S.Queues.QueueSetLane("fast", "memory", S.Now, default);
        await S.Queues.QueueSetPaused("held", true, S.Now, default);
        await S.Queues.QueueSetLane("held", "durable", S.Now, default);

        var settings = await S.Queues.QueueListSettings(default);
        Assert.Equal([new QueueSetting("fast", false, "memory"), new QueueSetting("held", true, "durable")], settings);

        await S.Queues.QueueSetLane("fast", null, S.Now, default);
        await S.Queues.QueueSetPaused("held", false, S.Now, default);
        Assert.Equal([new QueueSetting("held", false, "durable")], await S.Queues.QueueListSettings(default));
    }

    // ---- heartbeat, complete ------------------------------------------------------------------------------

    [Fact]
    public async Task Heartbeat_extends_the_lease_and_reports_lost_leases()
    {
        await S.Insert(S.Job(timeout: TimeSpan.FromSeconds(30)));
        var leased = await S.LeaseOne();
        S.Time.Advance(TimeSpan.FromSeconds(20));

        var beats = await S.Jobs.JobExtendLeases([leased.Lease, new LeaseRef(leased.Id, leased.Attempt + 1), new LeaseRef(999_999_999, 1)], S.Now, default);
        Assert.Equal(LeaseStatus.Ok, beats[0].Status);
        Assert.Equal(S.Now + TimeSpan.FromSeconds(30), beats[0].LeaseExpiresAt);
        Assert.Equal(LeaseStatus.Lost, beats[1].Status);
        Assert.Equal(LeaseStatus.Lost, beats[2].Status);
        Assert.Equal(S.Now + TimeSpan.FromSeconds(30), (await S.Get(leased.Id)).LeaseExpiresAt);
    }

    [Fact]
    public async Task Completion_records_the_result_once()
    {
        var id = await S.Insert(S.Job());
        var leased = await S.LeaseOne();
        S.Time.Advance(TimeSpan.FromMilliseconds(1500));
        using var wait = S.Signals.WaitFinished(id);
        await S.Jobs.JobWatchFinish(id, default); // what a waiter does: the job's end must then be announced

        var result = Encoding.UTF8.GetBytes("{\"ok\":true}");
        var first = await S.Jobs.JobSetCompleted([new Completion(id, leased.Attempt, result)], S.Now, default);
        var second = await S.Jobs.JobSetCompleted([new Completion(id, leased.Attempt, Encoding.UTF8.GetBytes("2"))], S.Now, default);

        Assert.Equal(LeaseStatus.Ok, first[0].Status);
        Assert.Equal(LeaseStatus.Lost, second[0].Status);
        await wait.Finished.WaitAsync(TimeSpan.FromSeconds(10));
        var job = await S.Get(id);
        Assert.Equal(JobState.Succeeded, job.State);
        Assert.Equal(result, job.Result!.Value.ToArray());
        Assert.Equal(S.Now, job.FinishedAt);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), job.ProcessTime);
        Assert.Null(job.LeaseExpiresAt);
    }

    [Fact]
    public async Task Completion_with_a_stale_attempt_changes_nothing()
    {
        var id = await S.Insert(S.Job());
        var leased = await S.LeaseOne();
        var status = await S.Jobs.JobSetCompleted([new Completion(id, leased.Attempt + 1, null)], S.Now, default);
        Assert.Equal(LeaseStatus.Lost, status[0].Status);
        Assert.Equal(JobState.Running, (await S.Get(id)).State);
    }

    [Fact]
    public async Task Completion_returns_the_queue_and_the_times_of_the_attempt_it_ended()
    {
        var created = S.Now;
        var id = await S.Insert(S.Job(queue: "times", delay: TimeSpan.FromSeconds(10)));
        S.Time.Advance(TimeSpan.FromSeconds(25));
        await S.Jobs.JobPromoteDue(S.Now, 10, default);
        var leased = await S.LeaseOne("times");
        var started = S.Now;
        S.Time.Advance(TimeSpan.FromSeconds(3));

        var results = await S.Jobs.JobSetCompleted([new Completion(id, leased.Attempt, null), new Completion(id, leased.Attempt, null)], S.Now, default);

        Assert.Equal(new CompletionResult(id, LeaseStatus.Ok, "times", new AttemptTimes(created, created + TimeSpan.FromSeconds(10), started)), results[0]);
        Assert.Equal(new CompletionResult(id, LeaseStatus.Lost, null, default), results[1]);
    }

    // ---- failure, retry, dead -----------------------------------------------------------------------------

    [Fact]
    public async Task Failure_retries_with_backoff_until_attempts_are_spent_then_dead()
    {
        var id = await S.Insert(S.Job(maxAttempts: 3));
        var expectedDelays = new[] { TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4) };
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var leased = await S.LeaseOne();
            Assert.Equal(attempt, leased.Attempt);
            var result = (await S.Jobs.JobSetFailed([new Failure(id, attempt, FailureKind.Error, $"boom {attempt}", "trace")], S.Rules, S.Now, default))[0];
            Assert.Equal(LeaseStatus.Ok, result.Status);
            if (attempt < 3)
            {
                Assert.Equal(JobState.Failed, result.State);
                Assert.Equal(S.Now + expectedDelays[attempt - 1], result.RunAt);
                var job = await S.Get(id);
                Assert.Equal(JobState.Failed, job.State);
                Assert.Empty(await S.Jobs.JobGetAvailable("q", 1, S.Now, default));
                S.Time.Advance(expectedDelays[attempt - 1]);
                Assert.Equal(1, await S.Jobs.JobPromoteDue(S.Now, 10, default));
            }
            else
            {
                Assert.Equal(JobState.Dead, result.State);
            }
        }
        var dead = await S.Get(id);
        Assert.Equal(JobState.Dead, dead.State);
        Assert.Equal(S.Now, dead.FinishedAt);
        Assert.Equal(["boom 1", "boom 2", "boom 3"], dead.Errors.Select(e => e.Message));
        Assert.Equal([1, 2, 3], dead.Errors.Select(e => e.Attempt));
        Assert.All(dead.Errors, e => Assert.Equal("trace", e.Details));
    }

    [Fact]
    public async Task Failure_returns_the_times_of_the_attempt_it_ended_not_those_of_the_retry()
    {
        var created = S.Now;
        var id = await S.Insert(S.Job(queue: "times"));
        S.Time.Advance(TimeSpan.FromSeconds(1));
        var first = await S.LeaseOne("times");
        var firstStarted = S.Now;
        S.Time.Advance(TimeSpan.FromSeconds(1));
        var failed = (await S.Jobs.JobSetFailed([new Failure(id, first.Attempt, FailureKind.Error, "boom")], S.Rules, S.Now, default))[0];
        Assert.Equal(new AttemptTimes(created, created, firstStarted), failed.Times);
        Assert.Equal("times", failed.Queue);

        var retryAt = failed.RunAt!.Value;
        S.Time.AdvanceTo(retryAt + TimeSpan.FromSeconds(5));
        await S.Jobs.JobPromoteDue(S.Now, 10, default);
        var second = await S.LeaseOne("times");
        var secondStarted = S.Now;
        var dead = (await S.Jobs.JobSetFailed([new Failure(id, second.Attempt, FailureKind.Discard, "no")], S.Rules, S.Now, default))[0];
        Assert.Equal(new AttemptTimes(created, retryAt, secondStarted), dead.Times);

        var stale = (await S.Jobs.JobSetFailed([new Failure(id, second.Attempt, FailureKind.Error, "late")], S.Rules, S.Now, default))[0];
        Assert.Equal(LeaseStatus.Lost, stale.Status);
        Assert.Equal(default, stale.Times);
    }

    [Fact]
    public async Task Discarded_failure_goes_straight_to_dead()
    {
        var id = await S.Insert(S.Job(maxAttempts: 10));
        var leased = await S.LeaseOne();
        var result = (await S.Jobs.JobSetFailed([new Failure(id, leased.Attempt, FailureKind.Discard, "bad input")], S.Rules, S.Now, default))[0];
        Assert.Equal(JobState.Dead, result.State);
        Assert.Equal(JobState.Dead, (await S.Get(id)).State);
    }

    [Fact]
    public async Task Failure_with_a_stale_attempt_changes_nothing()
    {
        var id = await S.Insert(S.Job());
        var leased = await S.LeaseOne();
        var result = (await S.Jobs.JobSetFailed([new Failure(id, leased.Attempt + 1, FailureKind.Error, "late")], S.Rules, S.Now, default))[0];
        Assert.Equal(LeaseStatus.Lost, result.Status);
        var job = await S.Get(id);
        Assert.Equal(JobState.Running, job.State);
        Assert.Empty(job.Errors);
    }

    [Fact]
    public async Task Released_job_is_available_again_first_in_line_without_counting_the_attempt_or_its_start()
    {
        var id = await S.Insert(S.Job());
        var created = S.Now;
        S.Time.Advance(TimeSpan.FromSeconds(1));
        var younger = await S.Insert(S.Job());
        var leased = await S.LeaseOne();
        Assert.Equal(id, leased.Id);
        S.Time.Advance(TimeSpan.FromSeconds(1));
        var result = (await S.Jobs.JobSetFailed([new Failure(id, leased.Attempt, FailureKind.Released, "shutdown")], S.Rules, S.Now, default))[0];
        Assert.Equal(JobState.Available, result.State);
        var job = await S.Get(id);
        Assert.Equal(0, job.Attempt);
        Assert.Empty(job.Errors);
        Assert.Null(job.StartedAt);
        Assert.Equal(created, job.RunAt);
        var again = await S.LeaseOne();
        Assert.Equal(id, again.Id); // ahead of the younger job: it was first before it was leased
        Assert.Equal(1, again.Attempt);
        Assert.NotEqual(younger, again.Id);
    }

    // ---- leases -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Expired_lease_makes_the_job_available_again_and_counts_the_attempt()
    {
        var id = await S.Insert(S.Job(timeout: TimeSpan.FromSeconds(10), maxAttempts: 2));
        var first = await S.LeaseOne();
        S.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(await S.Jobs.JobGetExpiredLeases(S.Now, 10, default));
        S.Time.Advance(TimeSpan.FromSeconds(1));
        var expired = await S.Jobs.JobGetExpiredLeases(S.Now, 10, default);
        Assert.Equal([first.Lease], expired);

        var rescue = await S.Jobs.JobSetFailed([new Failure(id, first.Attempt, FailureKind.LeaseExpired, "lease expired")], S.Rules, S.Now, default);
        Assert.Equal(JobState.Available, rescue[0].State);
        var second = await S.LeaseOne();
        Assert.Equal(2, second.Attempt);
        // The first worker wakes up late: its lease is gone.
        Assert.Equal(LeaseStatus.Lost, (await S.Jobs.JobSetCompleted([new Completion(id, first.Attempt, null)], S.Now, default))[0].Status);

        S.Time.Advance(TimeSpan.FromSeconds(10));
        await S.Jobs.JobSetFailed([new Failure(id, second.Attempt, FailureKind.LeaseExpired, "lease expired")], S.Rules, S.Now, default);
        var dead = await S.Get(id);
        Assert.Equal(JobState.Dead, dead.State);
        Assert.Equal(2, dead.Errors.Count);
    }

    [Fact]
    public async Task Lease_extended_after_the_expiry_scan_is_not_taken_back()
    {
        var id = await S.Insert(S.Job(timeout: TimeSpan.FromSeconds(10)));
        var leased = await S.LeaseOne();
        S.Time.Advance(TimeSpan.FromSeconds(11));
        var expired = await S.Jobs.JobGetExpiredLeases(S.Now, 10, default);
        Assert.Single(expired);
        await S.Jobs.JobExtendLeases([leased.Lease], S.Now, default);

        var rescue = await S.Jobs.JobSetFailed([new Failure(id, leased.Attempt, FailureKind.LeaseExpired, "lease expired")], S.Rules, S.Now, default);
        Assert.Equal(LeaseStatus.Lost, rescue[0].Status);
        Assert.Equal(JobState.Running, (await S.Get(id)).State);
    }

    // ---- cancel -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Cancel_stops_waiting_jobs_and_flags_running_ones()
    {
        var waiting = await S.Insert(S.Job(queue: "w", delay: TimeSpan.FromHours(1)));
        var running = await S.Insert(S.Job(queue: "r"));
        var leased = await S.LeaseOne("r");

        Assert.Equal(CancelOutcome.Cancelled, await S.Jobs.JobCancel(waiting, S.Now, default));
        Assert.Equal(JobState.Cancelled, (await S.Get(waiting)).State);
        Assert.Equal(CancelOutcome.AlreadyFinished, await S.Jobs.JobCancel(waiting, S.Now, default));
        Assert.Equal(CancelOutcome.NotFound, await S.Jobs.JobCancel(987_654_321, S.Now, default));

        Assert.Equal(CancelOutcome.CancelRequested, await S.Jobs.JobCancel(running, S.Now, default));
        Assert.Equal(LeaseStatus.CancelRequested, (await S.Jobs.JobExtendLeases([leased.Lease], S.Now, default))[0].Status);
        var stopped = await S.Jobs.JobSetFailed([new Failure(running, leased.Attempt, FailureKind.Error, "cancelled by request")], S.Rules, S.Now, default);
        Assert.Equal(JobState.Cancelled, stopped[0].State);
        Assert.Equal(JobState.Cancelled, (await S.Get(running)).State);
    }

    [Fact]
    public async Task Cancelled_running_job_whose_worker_dies_ends_cancelled()
    {
        var id = await S.Insert(S.Job(timeout: TimeSpan.FromSeconds(5)));
        var leased = await S.LeaseOne();
        await S.Jobs.JobCancel(id, S.Now, default);
        S.Time.Advance(TimeSpan.FromSeconds(5));
        await S.Jobs.JobSetFailed([new Failure(id, leased.Attempt, FailureKind.LeaseExpired, "lease expired")], S.Rules, S.Now, default);
        Assert.Equal(JobState.Cancelled, (await S.Get(id)).State);
    }

    // ---- listing, queues, pruning -------------------------------------------------------------------------

    [Fact]
    public async Task Queue_list_counts_jobs_by_state_and_ages_the_oldest_available()
    {
        await S.Insert(S.Job(queue: "m"));
        var oldest = S.Now;
        S.Time.Advance(TimeSpan.FromSeconds(3));
        await S.Insert(S.Job(queue: "m"));
        await S.Insert(S.Job(queue: "m", delay: TimeSpan.FromMinutes(1)));
        await S.Insert(S.Job(queue: "n"));
        var leased = await S.LeaseOne("n");
        await S.Jobs.JobSetCompleted([new Completion(leased.Id, leased.Attempt, null)], S.Now, default);

        var queues = await S.Queues.QueueList(default);
        var m = queues.Single(q => q.Name == "m");
        Assert.Equal(2, m.Counts[JobState.Available]);
        Assert.Equal(1, m.Counts[JobState.Scheduled]);
        Assert.Equal(0, m.Counts[JobState.Running]);
        Assert.Equal(oldest, m.OldestAvailableSince);
        Assert.Equal(TimeSpan.FromSeconds(3), m.OldestAvailableAge(S.Now));
        var n = queues.Single(q => q.Name == "n");
        Assert.Equal(1, n.Counts[JobState.Succeeded]);
        Assert.Null(n.OldestAvailableSince);
    }

    [Fact]
    public async Task List_pages_newest_first_filtered_by_queue_and_state()
    {
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) ids.Add(await S.Insert(S.Job(queue: "p")));
        await S.Insert(S.Job(queue: "other"));
        var leased = await S.LeaseOne("p"); // the oldest becomes running

        var page1 = await S.Jobs.JobList(new JobQuery("p", JobState.Available, 4, null), default);
        Assert.Equal(ids.AsEnumerable().Reverse().Take(4), page1.Jobs.Select(j => j.Id));
        Assert.NotNull(page1.Next);
        var page2 = await S.Jobs.JobList(new JobQuery("p", JobState.Available, 4, page1.Next), default);
        Assert.Equal(ids.AsEnumerable().Reverse().Skip(4).Take(2), page2.Jobs.Select(j => j.Id));
        Assert.Null(page2.Next);

        var running = await S.Jobs.JobList(new JobQuery(null, JobState.Running, 10, null), default);
        Assert.Equal([leased.Id], running.Jobs.Select(j => j.Id));
        var all = await S.Jobs.JobList(new JobQuery(null, null, 100, null), default);
        Assert.Equal(8, all.Jobs.Count);
    }

    [Fact]
    public async Task Prune_deletes_only_finished_jobs_past_the_cutoff_and_ids_are_not_reused()
    {
        var done = await S.Insert(S.Job());
        var leased = await S.LeaseOne();
        await S.Jobs.JobSetCompleted([new Completion(done, leased.Attempt, null)], S.Now, default);
        var waiting = await S.Insert(S.Job(delay: TimeSpan.FromDays(30)));
        S.Time.Advance(TimeSpan.FromHours(2));

        Assert.Equal(0, await S.Jobs.JobDeleteFinished(JobState.Succeeded, S.Now - TimeSpan.FromHours(3), 100, default));
        Assert.Equal(0, await S.Jobs.JobDeleteFinished(JobState.Dead, S.Now, 100, default));
        Assert.Equal(1, await S.Jobs.JobDeleteFinished(JobState.Succeeded, S.Now - TimeSpan.FromHours(1), 100, default));
        Assert.Null(await S.Jobs.JobGet(done, default));
        Assert.NotNull(await S.Jobs.JobGet(waiting, default));

        // Delete the newest job too, then insert: the new id must be fresh, never a pruned one.
        await S.Jobs.JobCancel(waiting, S.Now, default);
        Assert.Equal(1, await S.Jobs.JobDeleteFinished(JobState.Cancelled, S.Now + TimeSpan.FromSeconds(1), 100, default));
        var fresh = await S.Insert(S.Job());
        Assert.True(fresh > waiting, $"id {fresh} reuses a pruned id (max was {waiting})");
    }

    // ---- signals ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Commits_wake_fetchers_and_the_scheduler()
    {
        var available = S.Signals.NextJobsAvailable("sig");
        await S.Insert(S.Job(queue: "sig"));
        await available.WaitAsync(TimeSpan.FromSeconds(10));

        var scheduled = S.Signals.NextScheduleChange(S.Now + TimeSpan.FromHours(1));
        await S.Insert(S.Job(queue: "sig", delay: TimeSpan.FromMinutes(1)));
        await scheduled.WaitAsync(TimeSpan.FromSeconds(10));

        S.Time.Advance(TimeSpan.FromMinutes(1));
        var promoted = S.Signals.NextJobsAvailable("sig");
        await S.Jobs.JobPromoteDue(S.Now, 10, default);
        await promoted.WaitAsync(TimeSpan.FromSeconds(10));
    }

    // ---- concurrency --------------------------------------------------------------------------------------

    [Fact]
    public async Task Concurrent_fetchers_get_every_job_exactly_once()
    {
        const int jobCount = 2000;
        for (var i = 0; i < jobCount; i += 500)
            await S.Jobs.JobInsertMany(Enumerable.Range(i, 500).Select(n => S.Job(queue: "c", payload: n.ToString())).ToList(), default);

        var stores = new List<IStore> { S.Store };
        if (Driver.SupportsSeveralServers) stores.Add(await OpenAsync(new JobSignals(), S.Time));

        var seen = new ConcurrentDictionary<long, int>();
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            var store = stores[w % stores.Count];
            while (true)
            {
                var jobs = await store.Jobs.JobGetAvailable("c", 1 + w * 7 % 40, S.Now, default);
                if (jobs.Count == 0) return;
                foreach (var j in jobs) seen.AddOrUpdate(j.Id, 1, (_, n) => n + 1);
                await store.Jobs.JobSetCompleted(jobs.Select(j => new Completion(j.Id, j.Attempt, null)).ToList(), S.Now, default);
            }
        })).ToList();
        await Task.WhenAll(workers);

        Assert.Equal(jobCount, seen.Count);
        Assert.All(seen, kv => Assert.Equal(1, kv.Value));
        var q = (await S.Queues.QueueList(default)).Single(x => x.Name == "c");
        Assert.Equal(jobCount, q.Counts[JobState.Succeeded]);
    }

    [Fact]
    public async Task Concurrent_enqueues_with_one_unique_key_make_one_job()
    {
        var stores = new List<IStore> { S.Store };
        if (Driver.SupportsSeveralServers) stores.Add(await OpenAsync(new JobSignals(), S.Time));
        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            stores[i % stores.Count].Jobs.JobInsertMany([S.Job(queue: "uq", uniqueKey: "same")], default))));
        var ids = results.Select(r => r[0].Id).Distinct().ToList();
        Assert.Single(ids);
        Assert.Equal(39, results.Count(r => r[0].Existing));
    }
}
