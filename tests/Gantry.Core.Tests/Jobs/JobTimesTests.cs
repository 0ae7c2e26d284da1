using Gantry.Core.Jobs;
using Xunit;

namespace Gantry.Core.Tests.Jobs;

/// <summary>JobTimes and Job.Delay/ProcessTime: delay = start − max(created, run_at), process = finished − started.</summary>
public sealed class JobTimesTests
{
    private static readonly DateTimeOffset Created = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private static Job NewJob(DateTimeOffset runAt, DateTimeOffset? startedAt, DateTimeOffset? finishedAt = null) => new()
    {
        Id = 1, Queue = "q", State = JobState.Running, Payload = ReadOnlyMemory<byte>.Empty,
        CreatedAt = Created, RunAt = runAt, StartedAt = startedAt, FinishedAt = finishedAt,
    };

    [Fact]
    public void Delay_ImmediateJob_IsStartMinusCreated() =>
        Assert.Equal(TimeSpan.FromSeconds(3), JobTimes.Delay(Created, Created, Created.AddSeconds(3)));

    [Fact]
    public void Delay_DelayedJob_CountsFromRunAtNotFromCreation()
    {
        var runAt = Created.AddMinutes(10);
        Assert.Equal(TimeSpan.FromSeconds(2), JobTimes.Delay(Created, runAt, runAt.AddSeconds(2)));
    }

    [Fact]
    public void Delay_RetriedJob_CountsFromTheRetryTime()
    {
        // After a failure the store moves run_at to the retry time; the new attempt's delay starts there.
        var retryAt = Created.AddHours(1);
        Assert.Equal(TimeSpan.FromMilliseconds(250), JobTimes.Delay(Created, retryAt, retryAt.AddMilliseconds(250)));
    }

    [Fact]
    public void Delay_RunAtBeforeCreation_CountsFromCreation() =>
        Assert.Equal(TimeSpan.FromSeconds(1), JobTimes.Delay(Created, Created.AddDays(-1), Created.AddSeconds(1)));

    [Fact]
    public void Delay_StartBeforeItWasReady_IsZeroNotNegative()
    {
        // Clocks of servers sharing a store can disagree by a little.
        Assert.Equal(TimeSpan.Zero, JobTimes.Delay(Created, Created.AddMinutes(5), Created.AddMinutes(4)));
        Assert.Equal(TimeSpan.Zero, JobTimes.Delay(Created, Created, Created.AddTicks(-1)));
    }

    [Fact]
    public void Delay_StartExactlyWhenReady_IsZero() =>
        Assert.Equal(TimeSpan.Zero, JobTimes.Delay(Created, Created.AddMinutes(5), Created.AddMinutes(5)));

    [Fact]
    public void Delay_NotStarted_IsNull() => Assert.Null(JobTimes.Delay(Created, Created, null));

    [Fact]
    public void Process_IsFinishedMinusStarted() =>
        Assert.Equal(TimeSpan.FromSeconds(7), JobTimes.Process(Created.AddSeconds(1), Created.AddSeconds(8)));

    [Fact]
    public void Process_FinishedTheInstantItStarted_IsZero() =>
        Assert.Equal(TimeSpan.Zero, JobTimes.Process(Created, Created));

    [Fact]
    public void Process_NotStartedOrNotFinished_IsNull()
    {
        Assert.Null(JobTimes.Process(null, Created));
        Assert.Null(JobTimes.Process(Created, null));
        Assert.Null(JobTimes.Process(null, null));
    }

    [Fact]
    public void Process_FinishedBeforeStarted_IsNull() =>
        Assert.Null(JobTimes.Process(Created.AddSeconds(5), Created.AddSeconds(4)));

    [Fact]
    public void JobDelay_OfADelayedJob_IsStartMinusRunAt()
    {
        var runAt = Created.AddMinutes(30);
        Assert.Equal(TimeSpan.FromSeconds(4), NewJob(runAt, runAt.AddSeconds(4)).Delay);
    }

    [Fact]
    public void JobDelayAndProcessTime_BeforeStart_AreNull()
    {
        var job = NewJob(Created, startedAt: null);
        Assert.Null(job.Delay);
        Assert.Null(job.ProcessTime);
    }

    [Fact]
    public void JobProcessTime_OfAFinishedJob_IsFinishedMinusStarted() =>
        Assert.Equal(TimeSpan.FromSeconds(9), NewJob(Created, Created.AddSeconds(1), Created.AddSeconds(10)).ProcessTime);
}
