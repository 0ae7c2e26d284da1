using Gantry.Core.Stats;
using Gantry.Testing;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gantry.Core.Tests.Stats;

/// <summary>What JobStats keeps when clients make up queue names: figures for at most MaxQueues queues, and idle queues
/// offered for forgetting after IdleExpiry (at the limit, once their window is empty), without losing a record.</summary>
public sealed class JobStatsBoundsTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private readonly ManualTimeProvider _time = new(T);
    private readonly RecordingLogs _logs = new();

    private JobStats Stats(Action<StatsOptions>? configure = null)
    {
        var options = new StatsOptions();
        configure?.Invoke(options);
        return new JobStats(Microsoft.Extensions.Options.Options.Create(options), _time, _logs.For<JobStats>());
    }

    private JobRecord Ended(string queue)
    {
        var now = _time.GetUtcNow();
        return new JobRecord(queue, 1, 1, JobOutcome.Succeeded, now - TimeSpan.FromSeconds(2), now - TimeSpan.FromSeconds(2),
            now - TimeSpan.FromSeconds(1), now);
    }

    private static long Succeeded(JobStats stats, string queue) =>
        stats.Totals().SingleOrDefault(t => t.Queue == queue)?.Processed[JobOutcome.Succeeded] ?? 0;

    [Fact]
    public void A_queue_is_idle_once_nothing_of_it_ended_for_the_idle_expiry()
    {
        var stats = Stats(o => o.IdleExpiry = TimeSpan.FromHours(1));
        stats.OnJobsLogged([Ended("old")]);
        _time.Advance(TimeSpan.FromMinutes(30));
        stats.OnJobsLogged([Ended("recent")]);
        _time.Advance(TimeSpan.FromMinutes(31));

        Assert.Equal(["old"], stats.IdleQueues(out _));
    }

    [Fact]
    public void A_forgotten_queue_leaves_the_reports_and_a_later_job_starts_it_afresh()
    {
        var stats = Stats(o => o.IdleExpiry = TimeSpan.FromMinutes(10));
        stats.OnJobsLogged([Ended("q"), Ended("q")]);
        _time.Advance(TimeSpan.FromMinutes(11));
        var idle = stats.IdleQueues(out var before);

        Assert.True(stats.Forget(Assert.Single(idle), before));
        Assert.Null(stats.Report("q", []));
        Assert.Empty(stats.Totals());
        Assert.Equal(0, stats.QueueCount);

        stats.OnJobsLogged([Ended("q")]);
        Assert.Equal(1, Succeeded(stats, "q"));
    }

    [Fact]
    public void A_queue_that_ended_a_job_after_the_look_is_not_forgotten()
    {
        var stats = Stats(o => o.IdleExpiry = TimeSpan.FromMinutes(10));
        stats.OnJobsLogged([Ended("q")]);
        _time.Advance(TimeSpan.FromMinutes(11));
        var idle = stats.IdleQueues(out var before);
        stats.OnJobsLogged([Ended("q")]); // while the monitor asked the store about it

        Assert.False(stats.Forget(Assert.Single(idle), before));
        Assert.Equal(2, Succeeded(stats, "q"));
    }

    [Fact]
    public void Past_the_limit_a_new_queue_gets_no_figures_the_others_keep_theirs_and_a_warning_says_so_once()
    {
        var stats = Stats(o => o.MaxQueues = 2);
        stats.OnJobsLogged([Ended("a"), Ended("b"), Ended("c"), Ended("d"), Ended("a")]);

        Assert.Equal(["a", "b"], stats.Totals().Select(t => t.Queue));
        Assert.Equal(2, Succeeded(stats, "a"));
        Assert.True(stats.AtLimit);
        var warning = Assert.Single(_logs.At(LogLevel.Warning));
        Assert.Contains("Gantry:Stats:MaxQueues", warning.Message);
    }

    [Fact]
    public void At_the_limit_a_queue_is_idle_once_its_window_is_empty_and_forgetting_one_makes_room()
    {
        var stats = Stats(o => { o.MaxQueues = 2; o.IdleExpiry = TimeSpan.FromHours(1); });
        stats.OnJobsLogged([Ended("a")]);
        _time.Advance(TimeSpan.FromMinutes(2));
        stats.OnJobsLogged([Ended("b")]);
        _time.Advance(TimeSpan.FromMinutes(4)); // "a" ended 6 minutes ago: past the 5-minute window, "b" not

        var idle = stats.IdleQueues(out var before);
        Assert.Equal(["a"], idle);
        Assert.True(stats.Forget("a", before));

        stats.OnJobsLogged([Ended("c")]);
        Assert.Equal(["b", "c"], stats.Totals().Select(t => t.Queue));
    }
}
