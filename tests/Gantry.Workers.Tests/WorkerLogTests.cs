using System.Text.Json;
using Gantry.Testing;
using Gantry.Workers.Child;
using Gantry.Workers.Config;
using Gantry.Workers.Logging;
using Gantry.Workers.Supervisor;

namespace Gantry.Workers.Tests;

/// <summary>The parent's log lines in both forms, and how it names a child's end.</summary>
public sealed class WorkerLogTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 1, 2, 3, 456, TimeSpan.Zero);

    [Fact]
    public void Plain_lines_quote_values_with_spaces_and_leave_out_missing_ones()
    {
        var output = new StringWriter();
        var log = new WorkerLog(output, new ManualTimeProvider(At), LogFormat.Plain);

        log.Warn("job failed", ("pool", "thumbs"), ("job", 42L), ("error", "disk full"), ("reason", null), ("grace", TimeSpan.FromSeconds(20)));

        Assert.Equal("2026-11-26T01:02:03.456Z warn  job failed pool=thumbs job=42 error=\"disk full\" grace=20s", output.ToString().TrimEnd());
    }

    [Fact]
    public void Json_lines_are_one_object_each_with_typed_fields()
    {
        var output = new StringWriter();
        var log = new WorkerLog(output, new ManualTimeProvider(At), LogFormat.Json);

        log.Info("job succeeded", ("pid", 7), ("process_ms", 12.5), ("queue", "images"));
        log.Info("second line");

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("2026-11-26T01:02:03.456Z", first.GetProperty("time").GetString());
        Assert.Equal("info", first.GetProperty("level").GetString());
        Assert.Equal("job succeeded", first.GetProperty("msg").GetString());
        Assert.Equal(7, first.GetProperty("pid").GetInt32());
        Assert.Equal(12.5, first.GetProperty("process_ms").GetDouble());
        Assert.Equal("images", first.GetProperty("queue").GetString());
    }

    [Fact]
    public void Quotes_and_non_ascii_text_stay_readable_in_both_forms_and_a_newline_stays_escaped()
    {
        var plain = new StringWriter();
        new WorkerLog(plain, new ManualTimeProvider(At), LogFormat.Plain).Warn("job failed", ("error", "say \"안녕\"\nbye"));
        var json = new StringWriter();
        new WorkerLog(json, new ManualTimeProvider(At), LogFormat.Json).Warn("결과 \"ok\"");

        Assert.EndsWith("error=\"say \\\"안녕\\\"\\nbye\"", plain.ToString().TrimEnd());
        Assert.Contains("\"msg\":\"결과 \\\"ok\\\"\"", json.ToString());
        Assert.DoesNotContain("\\u", plain.ToString() + json.ToString());
    }

    [Theory]
    [InlineData("warn: Gantry.Worker[0] Fetching from queue q failed", "warn", "Gantry.Worker", "Fetching from queue q failed")]
    [InlineData("fail: Gantry.Worker[0] Gave up sending 3 completions", "error", "Gantry.Worker", "Gave up sending 3 completions")]
    [InlineData("crit: App.Handler[12] out of memory", "error", "App.Handler", "out of memory")]
    [InlineData("info: Gantry.Worker[0] Working queue q", "info", "Gantry.Worker", "Working queue q")]
    [InlineData("dbug: X[1] detail", "debug", "X", "detail")]
    [InlineData("printed by a handler", "info", null, "printed by a handler")]
    [InlineData("warn: no category here", "warn", null, "no category here")]
    [InlineData("warning: not the console logger's form", "info", null, "warning: not the console logger's form")]
    public void A_childs_log_line_is_relayed_at_its_own_level(string line, string level, string? category, string message) =>
        Assert.Equal(new ChildLogLine(level, category, message), ChildLogLine.Parse(line));

    [Theory]
    [InlineData(0, "exited with code 0")]
    [InlineData(3, "exited with code 3")]
    [InlineData(137, "was killed by signal 9 (SIGKILL, exit code 137)")]
    [InlineData(143, "was killed by signal 15 (SIGTERM, exit code 143)")]
    public void A_childs_end_is_named_by_exit_code_or_signal(int code, string text) => Assert.Equal(text, ExitText.Describe(code));
}
