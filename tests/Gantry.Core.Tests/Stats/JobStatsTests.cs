using Gantry.Core.Jobs;
using Gantry.Core.Queues;
using Gantry.Core.Stats;
using Gantry.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gantry.Core.Tests.Stats;

/// <summary>JobStats on a manual clock: the sliding window, the rate, outcomes, totals, merging in the store's counts,
/// and the falling-behind warning logged once each way.</summary>
public sealed class JobStatsTests
{
    // On a whole minute, so bucket edges are easy to name.
    private static readonly DateTimeOffset T = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider _time = new(T);
    private readonly RecordingLogs _logs = new();

    private JobStats Stats(Action<StatsOptions>? configure = null)
    {
        var options = new StatsOptions();
        configure?.Invoke(options);
        return new JobStats(Microsoft.Extensions.Options.Options.Create(options), _time, _logs.For<JobStats>());
    }

    /// <summary>An attempt of <paramref name="queue"/> that ends now after waiting <paramref name="delay"/> and running
    /// <paramref name="process"/>.</summary>
    private JobRecord Ended(string queue, TimeSpan delay, TimeSpan process, JobOutcome outcome = JobOutcome.Succeeded, long id = 1)
    {
        var finished = _time.GetUtcNow();
        var started = finished - process;
        var due = started - delay;
        return new JobRecord(queue, id, 1, outcome, due - TimeSpan.FromSeconds(1), due, started, finished);
    }

    private static QueueStatsReport Only(JobStats stats, string queue) => stats.Report(queue, []) ?? throw new Xunit.Sdk.XunitException($"no report for {queue}");

    [Fact]
    public void Report_GivesPercentilesOfTheJobsInTheWindow()
    {
        var stats = Stats();
        var records = Enumerable.Range(0, 19).Select(_ => Ended("mail", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(300)))
            .Append(Ended("mail", TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(3)))
            .ToArray();

        stats.OnJobsLogged(records);
        var mail = Only(stats, "mail");

        Assert.Equal(20, mail.Processed);
        Assert.Equal(20, mail.Delay.Count);
        LogHistogramTests.AssertWithinBucket(TimeSpan.FromSeconds(2), mail.Delay.P50);
        LogHistogramTests.AssertWithinBucket(TimeSpan.FromSeconds(2), mail.Delay.P95); // the 19th of 20
        Assert.Equal(TimeSpan.FromSeconds(40), mail.Delay.P99);                       // the 20th: the largest, exact
        Assert.Equal(TimeSpan.FromSeconds(40), mail.Delay.Max);
        Assert.Equal(TimeSpan.FromSeconds((19 * 2 + 40) / 20.0), mail.Delay.Mean);
        LogHistogramTests.AssertWithinBucket(TimeSpan.FromMilliseconds(300), mail.Process.P50);
        Assert.Equal(TimeSpan.FromSeconds(3), mail.Process.P99);
    }

    [Fact]
    public void Report_KeepsQueuesApart()
    {
        var stats = Stats();
        stats.OnJobsLogged([Ended("a", TimeSpan.FromSeconds(1), TimeSpan.Zero), Ended("b", TimeSpan.FromSeconds(9), TimeSpan.Zero),
            Ended("a", TimeSpan.FromSeconds(1), TimeSpan.Zero)]);

        Assert.Equal(2, Only(stats, "a").Processed);
        Assert.Equal(TimeSpan.FromSeconds(1), Only(stats, "a").Delay.Max);
        Assert.Equal(1, Only(stats, "b").Processed);
        Assert.Equal(TimeSpan.FromSeconds(9), Only(stats, "b").Delay.Max);
    }

    [Fact]
    public void Window_DropsABucketOnceItIsAWholeWindowOld()
    {
        var stats = Stats();
        stats.OnJobsLogged([Ended("q", TimeSpan.FromSeconds(1), TimeSpan.Zero)]);   // in the bucket 09:00–09:01

        _time.AdvanceTo(T + TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(59));
        Assert.Equal(1, Only(stats, "q").Processed);                                 // buckets 09:00 … 09:04

        _time.AdvanceTo(T + TimeSpan.FromMinutes(5));
        var q = Only(stats, "q");                                                    // buckets 09:01 … 09:05
        Assert.Equal(0, q.Processed);
        Assert.Null(q.Delay.P95);
        Assert.Equal(0, q.Delay.Count);
    }

    [Fact]
    public void Window_ReusesARingSlotForANewerBucket_WithoutMixingTheOldOneIn()
    {
        var stats = Stats();
        stats.OnJobsLogged([Ended("q", TimeSpan.FromSeconds(50), TimeSpan.Zero)]);  // bucket 0, ring slot 0
        _time.AdvanceTo(T + TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(10));       // bucket 5, ring slot 0 again
        stats.OnJobsLogged([Ended("q", TimeSpan.FromSeconds(1), TimeSpan.Zero)]);

        var q = Only(stats, "q");
        Assert.Equal(1, q.Processed);
        Assert.Equal(TimeSpan.FromSeconds(1), q.Delay.Max);
    }

    [Fact]
    public void Window_LeavesOutARecordWhoseBucketWasAlreadyReused()
    {
        var stats = Stats();
        _time.AdvanceTo(T + TimeSpan.FromMinutes(5));
        stats.OnJobsLogged([Ended("q", TimeSpan.FromSeconds(1), TimeSpan.Zero)]);   // bucket 5, ring slot 0
        var late = Ended("q", TimeSpan.FromSeconds(7), TimeSpan.Zero) with { FinishedAt = T + TimeSpan.FromSeconds(10) }; // bucket 0

        stats.OnJobsLogged([late]);

        Assert.Equal(1, Only(stats, "q").Processed);
        Assert.Equal(2, stats.Totals().Single().Processed[JobOutcome.Succeeded]);
    }

    [Fact]
    public void JobsPerMinute_DividesByTheTimeCovered_AtLeastOneBucket()
    {
        var stats = Stats();
        _time.Advance(TimeSpan.FromSeconds(30));
        stats.OnJobsLogged(Enumerable.Range(0, 10).Select(_ => Ended("q", TimeSpan.Zero, TimeSpan.Zero)).ToArray());

        Assert.Equal(10, Only(stats, "q").JobsPerMinute, 9);            // 30 s since start: counted as one minute

        _time.AdvanceTo(T + TimeSpan.FromMinutes(2));
        Assert.Equal(5, Only(stats, "q").JobsPerMinute, 9);             // 10 jobs over 2 minutes
        Assert.Equal(TimeSpan.FromMinutes(2), Only(stats, "q").Covered);

        _time.AdvanceTo(T + TimeSpan.FromMinutes(9) + TimeSpan.FromSeconds(30));
        stats.OnJobsLogged(Enumerable.Range(0, 9).Select(_ => Ended("q", TimeSpan.Zero, TimeSpan.Zero)).ToArray());
        var q = Only(stats, "q");                                        // buckets 09:05 … 09:09, 4.5 minutes so far
        Assert.Equal(TimeSpan.FromMinutes(4.5), q.Covered);
        Assert.Equal(9, q.Processed);
        Assert.Equal(2, q.JobsPerMinute, 9);
    }

    [Fact]
    public void Outcomes_AreCountedEach_AndReleasesAreNotProcessed()
    {
        var stats = Stats();
        stats.OnJobsLogged([
            Ended("q", TimeSpan.Zero, TimeSpan.Zero, JobOutcome.Succeeded),
            Ended("q", TimeSpan.Zero, TimeSpan.Zero, JobOutcome.Failed),
            Ended("q", TimeSpan.Zero, TimeSpan.Zero, JobOutcome.Failed),
            Ended("q", TimeSpan.Zero, TimeSpan.Zero, JobOutcome.Dead),
            Ended("q", TimeSpan.Zero, TimeSpan.Zero, JobOutcome.LeaseExpired),
            Ended("q", TimeSpan.Zero, TimeSpan.Zero, JobOutcome.Released),
        ]);

        var q = Only(stats, "q");
        Assert.Equal(5, q.Processed);
        Assert.Equal(1, q.Outcomes[JobOutcome.Succeeded]);
        Assert.Equal(2, q.Outcomes[JobOutcome.Failed]);
        Assert.Equal(1, q.Outcomes[JobOutcome.Dead]);
        Assert.Equal(0, q.Outcomes[JobOutcome.Cancelled]);
        Assert.Equal(1, q.Outcomes[JobOutcome.LeaseExpired]);
        Assert.False(q.Outcomes.ContainsKey(JobOutcome.Released));
        Assert.Equal(5, q.Delay.Count);
    }

    [Fact]
    public void OnlyReleases_CreateNoQueue()
    {
        var stats = Stats();
        stats.OnJobsLogged([Ended("q", TimeSpan.Zero, TimeSpan.Zero, JobOutcome.Released)]);

        Assert.Null(stats.Report("q", []));
        Assert.Empty(stats.Totals());
    }

    [Fact]
    public void Totals_CountSinceStart_PastTheWindow()
    {
        var stats = Stats();
        stats.OnJobsLogged([Ended("q", TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(20))]);
        _time.Advance(TimeSpan.FromHours(1));
        stats.OnJobsLogged([Ended("q", TimeSpan.FromSeconds(40), TimeSpan.FromMilliseconds(20), JobOutcome.Dead)]);

        var totals = stats.Totals().Single();
        Assert.Equal("q", totals.Queue);
        Assert.Equal(1, totals.Processed[JobOutcome.Succeeded]);
        Assert.Equal(1, totals.Processed[JobOutcome.Dead]);
        Assert.Equal(2, totals.Delay.Count);
        Assert.Equal(42, totals.Delay.SumSeconds, 9);
        Assert.Equal(1, Only(stats, "q").Processed);
    }

    [Fact]
    public void Report_MergesTheStoreCounts_AndListsQueuesWithoutFigures()
    {
        var stats = Stats();
        stats.OnJobsLogged([Ended("b", TimeSpan.FromSeconds(1), TimeSpan.Zero)]);
        var counts = JobStates.All.ToDictionary(s => s, _ => 0L);
        counts[JobState.Available] = 7;
        counts[JobState.Running] = 3;
        var summaries = new[]
        {
            new QueueSummary("c", Paused: true, counts, OldestAvailableSince: T - TimeSpan.FromSeconds(12)) { Lane = QueueLanes.Memory },
            new QueueSummary("b", Paused: false, counts, OldestAvailableSince: null),
        };

        var report = stats.Report(summaries);

        Assert.Equal(["b", "c"], report.Select(r => r.Queue));
        var c = report[1];
        Assert.Equal(7, c.Backlog);
        Assert.Equal(3, c.Running);
        Assert.True(c.Paused);
        Assert.Equal(QueueLanes.Memory, c.Lane);
        Assert.Equal(TimeSpan.FromSeconds(12), c.OldestAvailableAge);
        Assert.Equal(0, c.Processed);
        Assert.Null(c.Delay.P50);
        Assert.Equal(1, report[0].Processed);
        Assert.Equal(7, report[0].Backlog);
        Assert.Null(stats.Report("nowhere", summaries));
    }

    [Fact]
    public void FallingBehind_IsWarnedOnceWhenTheDelayStaysHigh_AndOnceWhenItRecovers()
    {
        var stats = Stats(o => { o.DelayWarning = TimeSpan.FromSeconds(30); o.DelayWarningPeriod = TimeSpan.FromMinutes(1); });
        stats.OnJobsLogged(Enumerable.Range(0, 20).Select(_ => Ended("slow", TimeSpan.FromSeconds(45), TimeSpan.Zero)).ToArray());
        stats.OnJobsLogged([Ended("fast", TimeSpan.FromSeconds(1), TimeSpan.Zero)]);

        stats.Check();
        _time.Advance(TimeSpan.FromSeconds(59));
        stats.Check();
        Assert.False(Only(stats, "slow").FallingBehind);
        Assert.Empty(_logs.At(LogLevel.Warning));

        _time.Advance(TimeSpan.FromSeconds(1));
        stats.Check();
        stats.Check();
        var slow = Only(stats, "slow");
        Assert.True(slow.FallingBehind);
        Assert.Equal(T, slow.BehindSince);
        Assert.False(Only(stats, "fast").FallingBehind);
        var warning = Assert.Single(_logs.At(LogLevel.Warning));
        Assert.Contains("slow", warning.Message);
        Assert.Contains("falling behind", warning.Message);
        Assert.Equal("slow", warning.Fields["Queue"]);

        // The slow jobs leave the window at 09:05; on time from then, caught up a period later.
        _time.AdvanceTo(T + TimeSpan.FromMinutes(5));
        stats.Check();
        Assert.True(Only(stats, "slow").FallingBehind);
        _time.Advance(TimeSpan.FromMinutes(1));
        stats.Check();
        stats.Check();
        Assert.False(Only(stats, "slow").FallingBehind);
        Assert.Null(Only(stats, "slow").BehindSince);
        Assert.Equal(2, _logs.At(LogLevel.Warning).Count);
        Assert.Contains("caught up", _logs.At(LogLevel.Warning)[1].Message);
    }

    [Fact]
    public void FallingBehind_LooksAtTheP95_NotAtTheSlowestJob()
    {
        var stats = Stats(o => o.DelayWarningPeriod = TimeSpan.Zero);
        // 96 of 100 on time: the p95 is on time although 4 jobs waited long.
        stats.OnJobsLogged(Enumerable.Range(0, 96).Select(_ => Ended("q", TimeSpan.FromSeconds(1), TimeSpan.Zero))
            .Concat(Enumerable.Range(0, 4).Select(_ => Ended("q", TimeSpan.FromMinutes(5), TimeSpan.Zero))).ToArray());

        stats.Check();
        Assert.False(Only(stats, "q").FallingBehind);

        stats.OnJobsLogged(Enumerable.Range(0, 2).Select(_ => Ended("q", TimeSpan.FromMinutes(5), TimeSpan.Zero)).ToArray());
        stats.Check();
        Assert.True(Only(stats, "q").FallingBehind);
    }

    [Fact]
    public void FallingBehind_WithTheWarningOff_NeverHappens()
    {
        var stats = Stats(o => { o.DelayWarning = TimeSpan.Zero; o.DelayWarningPeriod = TimeSpan.Zero; });
        stats.OnJobsLogged([Ended("q", TimeSpan.FromHours(1), TimeSpan.Zero)]);

        stats.Check();
        _time.Advance(TimeSpan.FromMinutes(2));
        stats.Check();

        Assert.False(Only(stats, "q").FallingBehind);
        Assert.Empty(_logs.Entries);
    }
}
