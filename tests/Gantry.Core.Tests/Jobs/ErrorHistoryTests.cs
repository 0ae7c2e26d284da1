using System.Text.Json;
using Gantry.Core.Jobs;
using Xunit;

namespace Gantry.Core.Tests.Jobs;

/// <summary>ErrorHistory: the stored JSON form of a job's errors, read back exactly as written.</summary>
public sealed class ErrorHistoryTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("[]")]
    public void Parse_NoHistory_GivesAnEmptyList(string? json) => Assert.Empty(ErrorHistory.Parse(json));

    [Fact]
    public void Serialize_NoErrors_IsAnEmptyJsonArray() => Assert.Equal("[]", ErrorHistory.Serialize([]));

    [Fact]
    public void SerializeThenParse_GivesBackEveryEntryInOrder()
    {
        JobError[] errors =
        [
            new(1, At, "connection refused"),
            new(2, At.AddSeconds(2), "timeout", "at Smtp.Send()\n  at Worker.Run()"),
            new(3, At.AddSeconds(6), ""),
        ];

        Assert.Equal(errors, ErrorHistory.Parse(ErrorHistory.Serialize(errors)));
    }

    [Fact]
    public void SerializeThenParse_KeepsTheTimeToTheTickAndItsOffset()
    {
        var at = new DateTimeOffset(2026, 3, 1, 23, 59, 59, TimeSpan.FromHours(9)).AddTicks(1234567);
        var back = Assert.Single(ErrorHistory.Parse(ErrorHistory.Serialize([new JobError(1, at, "x")])));

        Assert.Equal(at.UtcTicks, back.At.UtcTicks);
        Assert.Equal(at.Offset, back.At.Offset);
    }

    [Theory]
    [InlineData("quote \" backslash \\ slash /")]
    [InlineData("new\nline\ttab\r")]
    [InlineData("control \u0001 \u001f")]
    [InlineData("한국어 😀 ünïcode")]
    [InlineData("<script>&amp;</script>")]
    public void SerializeThenParse_KeepsAnyTextExactly(string text)
    {
        var back = Assert.Single(ErrorHistory.Parse(ErrorHistory.Serialize([new JobError(1, At, text, text)])));

        Assert.Equal(text, back.Message);
        Assert.Equal(text, back.Details);
    }

    [Fact]
    public void Serialize_WritesAJsonArrayOfAttemptAtMessageDetails()
    {
        using var doc = JsonDocument.Parse(ErrorHistory.Serialize([new JobError(4, At, "m", "d")]));
        var entry = Assert.Single(doc.RootElement.EnumerateArray().ToList());

        Assert.Equal(4, entry.GetProperty("attempt").GetInt32());
        Assert.Equal(At, entry.GetProperty("at").GetDateTimeOffset());
        Assert.Equal("m", entry.GetProperty("message").GetString());
        Assert.Equal("d", entry.GetProperty("details").GetString());
    }

    [Fact]
    public void Serialize_NullDetails_LeavesTheDetailsPropertyOut()
    {
        using var doc = JsonDocument.Parse(ErrorHistory.Serialize([new JobError(1, At, "m")]));

        Assert.False(doc.RootElement[0].TryGetProperty("details", out _));
    }

    [Fact]
    public void Parse_DetailsMissingNullOrNotAString_GivesNullDetails()
    {
        const string json = """
            [{"attempt":1,"at":"2026-01-05T09:00:00+00:00","message":"a"},
             {"attempt":2,"at":"2026-01-05T09:00:00+00:00","message":"b","details":null},
             {"attempt":3,"at":"2026-01-05T09:00:00+00:00","message":"c","details":7}]
            """;

        Assert.All(ErrorHistory.Parse(json), e => Assert.Null(e.Details));
    }

    [Fact]
    public void Parse_NullMessage_GivesAnEmptyMessage() =>
        Assert.Equal("", Assert.Single(ErrorHistory.Parse("""[{"attempt":1,"at":"2026-01-05T09:00:00Z","message":null}]""")).Message);
}
