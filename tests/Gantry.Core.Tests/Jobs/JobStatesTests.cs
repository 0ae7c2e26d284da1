using Gantry.Core.Jobs;
using Xunit;

namespace Gantry.Core.Tests.Jobs;

/// <summary>JobStates: the wire names of states and which states are finished or live.</summary>
public sealed class JobStatesTests
{
    public static TheoryData<JobState> EveryState => new(Enum.GetValues<JobState>());

    [Fact]
    public void All_ListsEveryStateInValueOrder() =>
        Assert.Equal(Enum.GetValues<JobState>().OrderBy(s => (short)s), JobStates.All);

    [Fact]
    public void StoredValues_NeverChange()
    {
        // The stores persist these numbers; renumbering would silently rewrite every stored job.
        Assert.Equal(
            [0, 1, 2, 3, 4, 5, 6],
            new[] { JobState.Scheduled, JobState.Available, JobState.Running, JobState.Succeeded, JobState.Failed, JobState.Dead, JobState.Cancelled }
                .Select(s => (int)s));
    }

    [Theory]
    [MemberData(nameof(EveryState))]
    public void TryParseWire_OfToWire_GivesBackTheSameState(JobState state)
    {
        Assert.True(JobStates.TryParseWire(state.ToWire(), out var parsed));
        Assert.Equal(state, parsed);
    }

    [Theory]
    [MemberData(nameof(EveryState))]
    public void ToWire_IsTheLowerCaseEnumName(JobState state) =>
        Assert.Equal(state.ToString().ToLowerInvariant(), state.ToWire());

    [Fact]
    public void ToWire_NamesAreDistinct() =>
        Assert.Equal(JobStates.All.Count, JobStates.All.Select(s => s.ToWire()).Distinct().Count());

    [Theory]
    [InlineData("RUNNING", JobState.Running)]
    [InlineData("Dead", JobState.Dead)]
    [InlineData("sCHEDULED", JobState.Scheduled)]
    [InlineData("Cancelled", JobState.Cancelled)]
    public void TryParseWire_IgnoresCase(string text, JobState expected)
    {
        Assert.True(JobStates.TryParseWire(text, out var parsed));
        Assert.Equal(expected, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("run")]
    [InlineData(" running")]
    [InlineData("running ")]
    [InlineData("canceled")]
    [InlineData("2")]
    [InlineData("Running,Dead")]
    public void TryParseWire_UnknownText_ReturnsFalse(string? text) =>
        Assert.False(JobStates.TryParseWire(text, out _));

    [Fact]
    public void ToWire_UndefinedValue_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ((JobState)99).ToWire());

    [Fact]
    public void WireNames_ListsEveryWireName() =>
        Assert.Equal("scheduled, available, running, succeeded, failed, dead, cancelled", JobStates.WireNames);

    [Theory]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Dead)]
    [InlineData(JobState.Cancelled)]
    public void FinalStates_AreFinishedAndNotLive(JobState state)
    {
        Assert.True(state.IsFinished());
        Assert.False(state.IsLive());
    }

    [Theory]
    [InlineData(JobState.Scheduled)]
    [InlineData(JobState.Available)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Failed)] // a failed job waits for its retry: it still holds its unique key
    public void WaitingAndRunningStates_AreLiveAndNotFinished(JobState state)
    {
        Assert.True(state.IsLive());
        Assert.False(state.IsFinished());
    }
}
