using Gantry.Core.Jobs;
using Gantry.Core.Stats;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gantry.Core.Tests.Stats;

/// <summary>JobLog: one record per applied completion or failure, with the attempt's times and outcome, written to the
/// Gantry.JobLog category with structured fields and handed to every observer.</summary>
public sealed class JobLogTests
{
    private static readonly DateTimeOffset T = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private readonly RecordingLogs _logs = new();
    private readonly Collector _seen = new();

    private JobLog Log(params IJobLogObserver[] observers) => new(_logs, observers.Length == 0 ? [_seen] : observers);

    private sealed class Collector : IJobLogObserver
    {
        public List<JobRecord> Records { get; } = [];
        public void OnJobsLogged(ReadOnlySpan<JobRecord> records) => Records.AddRange(records.ToArray());
    }

    private sealed class Throwing : IJobLogObserver
    {
        public void OnJobsLogged(ReadOnlySpan<JobRecord> records) => throw new InvalidOperationException("observer broke");
    }

    [Fact]
    public void Completed_ForADelayedJob_CountsTheDelayFromRunAt_NotFromCreation()
    {
        // Enqueued at T to run at T+10 s; started at T+25 s; finished at T+28 s.
        var times = new AttemptTimes(T, T.AddSeconds(10), T.AddSeconds(25));

        Log().Completed([new Completion(7, 1, null)], [new CompletionResult(7, LeaseStatus.Ok, "mail", times)], T.AddSeconds(28));

        var record = Assert.Single(_seen.Records);
        Assert.Equal(new JobRecord("mail", 7, 1, JobOutcome.Succeeded, T, T.AddSeconds(10), T.AddSeconds(25), T.AddSeconds(28)), record);
        Assert.Equal(TimeSpan.FromSeconds(15), record.Delay);
        Assert.Equal(TimeSpan.FromSeconds(3), record.ProcessTime);
    }

    [Fact]
    public void Completed_SkipsLostLeases_AndKeepsEachRecordsOwnAttempt()
    {
        var times = new AttemptTimes(T, T, T.AddSeconds(1));

        Log().Completed(
            [new Completion(1, 3, null), new Completion(2, 1, null), new Completion(3, 2, null)],
            [new CompletionResult(1, LeaseStatus.Ok, "a", times), new CompletionResult(2, LeaseStatus.Lost, null, default),
             new CompletionResult(3, LeaseStatus.Ok, "b", times)],
            T.AddSeconds(2));

        Assert.Equal([(1L, 3, "a"), (3L, 2, "b")], _seen.Records.Select(r => (r.JobId, r.Attempt, r.Queue)));
    }

    [Theory]
    [InlineData(FailureKind.Error, JobState.Failed, JobOutcome.Failed)]
    [InlineData(FailureKind.Error, JobState.Dead, JobOutcome.Dead)]
    [InlineData(FailureKind.Discard, JobState.Dead, JobOutcome.Dead)]
    [InlineData(FailureKind.Error, JobState.Cancelled, JobOutcome.Cancelled)]
    [InlineData(FailureKind.LeaseExpired, JobState.Available, JobOutcome.LeaseExpired)]
    [InlineData(FailureKind.LeaseExpired, JobState.Dead, JobOutcome.Dead)]
    [InlineData(FailureKind.Released, JobState.Available, JobOutcome.Released)]
    [InlineData(FailureKind.Released, JobState.Cancelled, JobOutcome.Cancelled)]
    public void Failed_NamesTheOutcomeFromTheKindAndTheNewState(FailureKind kind, JobState state, JobOutcome expected)
    {
        Log().Failed([new Failure(9, 2, kind, "x")],
            [new FailureResult(9, LeaseStatus.Ok, state, null, "q", new AttemptTimes(T, T, T.AddSeconds(1)))], T.AddSeconds(4));

        var record = Assert.Single(_seen.Records);
        Assert.Equal(expected, record.Outcome);
        Assert.Equal(2, record.Attempt);
        Assert.Equal(TimeSpan.FromSeconds(3), record.ProcessTime);
    }

    [Fact]
    public void Failed_ForARetriedAttempt_CountsTheDelayFromTheRetryTime()
    {
        // Created at T; first attempt failed and was due again at T+60 s; the retry started at T+62 s.
        var times = new AttemptTimes(T, T.AddSeconds(60), T.AddSeconds(62));

        Log().Failed([new Failure(4, 2, FailureKind.Error, "again")],
            [new FailureResult(4, LeaseStatus.Ok, JobState.Failed, T.AddSeconds(200), "q", times), ], T.AddSeconds(70));

        var record = Assert.Single(_seen.Records);
        Assert.Equal(T.AddSeconds(60), record.RunAt);
        Assert.Equal(TimeSpan.FromSeconds(2), record.Delay);
        Assert.Equal(TimeSpan.FromSeconds(8), record.ProcessTime);
    }

    [Fact]
    public void Failed_SkipsStaleReports()
    {
        Log().Failed([new Failure(4, 2, FailureKind.Error, "late")], [new FailureResult(4, LeaseStatus.Lost, JobState.Running, null, "q")], T);

        Assert.Empty(_seen.Records);
        Assert.Empty(_logs.Entries);
    }

    [Fact]
    public void Write_LogsOneInformationLinePerRecord_InItsOwnCategory_WithStructuredFields()
    {
        var record = new JobRecord("mail", 42, 3, JobOutcome.LeaseExpired, T, T.AddSeconds(10), T.AddSeconds(12.5), T.AddSeconds(72.5));

        Log().Write([record]);

        var entry = Assert.Single(_logs.Entries);
        Assert.Equal(JobLog.Category, entry.Category);
        Assert.Equal("Gantry.JobLog", entry.Category);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal("mail", entry.Fields["Queue"]);
        Assert.Equal(42L, entry.Fields["JobId"]);
        Assert.Equal(3, entry.Fields["Attempt"]);
        Assert.Equal("lease_expired", entry.Fields["Outcome"]);
        Assert.Equal(2500.0, entry.Fields["DelayMs"]);
        Assert.Equal(60000.0, entry.Fields["ProcessMs"]);
        Assert.Equal(T, entry.Fields["CreatedAt"]);
        Assert.Equal(T.AddSeconds(10), entry.Fields["RunAt"]);
        Assert.Equal(T.AddSeconds(12.5), entry.Fields["StartedAt"]);
        Assert.Equal(T.AddSeconds(72.5), entry.Fields["FinishedAt"]);
        Assert.Contains("Job 42 lease_expired on mail attempt 3: delay 2500 ms, process 60000 ms", entry.Message);
        Assert.Contains("run_at 2026-01-05T09:00:10.0000000+00:00", entry.Message);
    }

    [Fact]
    public void Write_WithTheCategoryTurnedDown_StillFeedsTheObservers()
    {
        _logs.MinimumLevel = LogLevel.Warning;

        Log().Write([new JobRecord("q", 1, 1, JobOutcome.Succeeded, T, T, T, T)]);

        Assert.Empty(_logs.Entries);
        Assert.Single(_seen.Records);
    }

    [Fact]
    public void Write_AnObserverThatThrows_IsLoggedAndTheOthersStillHear()
    {
        var log = Log(new Throwing(), _seen);

        log.Write([new JobRecord("q", 1, 1, JobOutcome.Succeeded, T, T, T, T)]);

        Assert.Single(_seen.Records);
        var error = Assert.Single(_logs.At(LogLevel.Error));
        Assert.Contains("Throwing", error.Message);
    }

    [Fact]
    public void Subscribe_AddsAnObserverUntilDisposed()
    {
        var log = Log(new Collector());
        var record = new JobRecord("q", 1, 1, JobOutcome.Succeeded, T, T, T, T);

        using (log.Subscribe(_seen)) log.Write([record]);
        log.Write([record]);

        Assert.Single(_seen.Records);
    }
}
