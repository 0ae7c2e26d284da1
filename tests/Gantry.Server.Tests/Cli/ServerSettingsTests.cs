using Xunit;

namespace Gantry.Server.Tests.Cli;

/// <summary>
/// <c>gantry server</c>'s settings as a user writes them: a settings file that does not parse, and keys that are not
/// settings (misspelled, retired, below a value) from each source, each stop the server with one line naming the file
/// or variable and the key, exit 2, before anything listens.
/// </summary>
public sealed class ServerSettingsTests
{
    private static async Task<ProcessResult> Server(TempFolder folder, string? json = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var args = new List<string> { "server", "--data", Path.Combine(folder.Path, "data"), "--urls", "http://127.0.0.1:0" };
        if (json is not null) args.AddRange(["--config", await WriteSettings(folder, json)]);
        return await GantryCli.RunAsync(args, environment);
    }

    /// <summary>Refused at start as bad configuration: exit 2, the problems on stderr, no listener, no .NET.</summary>
    private static string[] AssertRefused(ProcessResult r)
    {
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.DoesNotContain("listening on", r.Stdout);
        CliArgumentTests.AssertNoInternals(r);
        return r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public async Task A_truncated_settings_file_is_one_line_naming_the_file_and_where_it_breaks()
    {
        using var folder = new TempFolder("gantry-settings");

        var r = await Server(folder, "{\n  \"Gantry\": {\n    \"Limits\": {");

        var line = Assert.Single(AssertRefused(r));
        Assert.Contains(Path.Combine(folder.Path, "gantry.json"), line);
        Assert.Contains("not valid JSON at line 3", line);
        Assert.Contains("cut short", line);
    }

    [Theory]
    [InlineData("""{ "Gantry": { "Limitz": { "MaxPayloadBytes": 2048 } } }""", "Gantry:Limitz", "did you mean Gantry:Limits?")]
    [InlineData("""{ "Gantry": { "Limits": { "MaxPayloadByte": 2048 } } }""", "Gantry:Limits:MaxPayloadByte", "did you mean Gantry:Limits:MaxPayloadBytes?")]
    [InlineData("""{ "Gantry": { "MaxPayloadBytes": 2048 } }""", "Gantry:MaxPayloadBytes", "did you mean Gantry:Limits:MaxPayloadBytes?")]
    [InlineData("""{ "Gantry": { "Queues": { "any-name": { "Lanes": "memory" } } } }""", "Gantry:Queues:any-name:Lanes", "did you mean Gantry:Queues:any-name:Lane?")]
    [InlineData("""{ "Gantry": { "Gearman": { "Functions": { "resize": { "Retrys": 2 } } } } }""", "Gantry:Gearman:Functions:resize:Retrys", "did you mean Gantry:Gearman:Functions:resize:Retries?")]
    [InlineData("""{ "Gantry": { "Gearman": { "RetryBaseDelay": "00:00:01" } } }""", "Gantry:Gearman:RetryBaseDelay", "use Gantry:Retry:BaseDelay")]
    [InlineData("""{ "Gantry": { "Gearman": { "RetryMaxDelay": "00:05:00" } } }""", "Gantry:Gearman:RetryMaxDelay", "use Gantry:Retry:MaxDelay")]
    [InlineData("""{ "Gantry": { "Gearman": { "MaxMemoryJobs": 10 } } }""", "Gantry:Gearman:MaxMemoryJobs", "use Gantry:MemoryLane:MaxJobs")]
    [InlineData("""{ "Gantry": { "Data": { "Path": "x" } } }""", "Gantry:Data:Path", "Gantry:Data is a single value")]
    public async Task A_key_in_the_settings_file_that_is_no_setting_stops_the_server_naming_it_and_the_closest_setting(
        string json, string key, string hint)
    {
        using var folder = new TempFolder("gantry-settings");

        var r = await Server(folder, json);

        var line = Assert.Single(AssertRefused(r));
        Assert.StartsWith("gantry: configuration is not valid: " + key, line);
        Assert.Contains($"(in {Path.Combine(folder.Path, "gantry.json")})", line);
        Assert.Contains(hint, line);
    }

    [Fact]
    public async Task Names_under_dictionaries_are_free_and_known_keys_in_every_case_start_the_server()
    {
        using var folder = new TempFolder("gantry-settings");
        await using var server = GantryCli.Start(
            ["server", "--data", Path.Combine(folder.Path, "data"), "--urls", "http://127.0.0.1:0", "--config", await WriteSettings(folder, """
                { "Gantry": { "Queues": { "any-name.v2": { "Lane": "memory" } }, "limits": { "maxpayloadbytes": 2048 },
                  "Gearman": { "Functions": { "Resize_Image": { "Retries": 1 } } } } }
                """)],
            new Dictionary<string, string?> { ["GANTRY_RETRY__JITTER"] = "0.1", ["Gantry__Retry__MaxDelay"] = "00:10:00" });

        await server.WaitForLineAsync(l => GantryCli.ListeningLine().IsMatch(l), "the 'listening on' line");
    }

    /// <summary>A key that is no setting is shown as the variable spells it (upper case); known keys as the settings do.</summary>
    [Theory]
    [InlineData("GANTRY_LIMITZ__MAXPAYLOADBYTES", "2048", "Gantry:LIMITZ (set by the environment variable GANTRY_LIMITZ__MAXPAYLOADBYTES)", "did you mean Gantry:Limits?")]
    [InlineData("GANTRY_LIMITS__MAXPAYLOADBYTE", "2048", "Gantry:Limits:MAXPAYLOADBYTE (set by the environment variable GANTRY_LIMITS__MAXPAYLOADBYTE)", "did you mean Gantry:Limits:MaxPayloadBytes?")]
    [InlineData("Gantry__Limits__MaxPayloadByte", "2048", "Gantry:Limits:MaxPayloadByte (set by the environment variable Gantry__Limits__MaxPayloadByte)", "did you mean Gantry:Limits:MaxPayloadBytes?")]
    [InlineData("GANTRY_GEARMAN__RETRYBASEDELAY", "00:00:01", "Gantry:Gearman:RetryBaseDelay (set by the environment variable GANTRY_GEARMAN__RETRYBASEDELAY)", "use Gantry:Retry:BaseDelay")]
    [InlineData("GANTRY_LIMITS__MAXPAYLOADBYTES", "abc", "Gantry:Limits:MaxPayloadBytes (set by the environment variable GANTRY_LIMITS__MAXPAYLOADBYTES)", "must be a whole number")]
    public async Task A_bad_key_or_value_in_the_environment_stops_the_server_naming_the_variable(string variable, string value, string key, string hint)
    {
        using var folder = new TempFolder("gantry-settings");

        var r = await Server(folder, environment: new Dictionary<string, string?> { [variable] = value });

        var line = Assert.Single(AssertRefused(r));
        Assert.StartsWith("gantry: configuration is not valid: " + key, line);
        Assert.Contains(hint, line);
    }

    [Fact]
    public async Task Several_problems_are_listed_together_one_per_line()
    {
        using var folder = new TempFolder("gantry-settings");

        var r = await Server(folder, """{ "Gantry": { "Limitz": {"MaxPayloadBytes": 1}, "Retry": { "Jiter": 0.5 } } }""",
            new Dictionary<string, string?> { ["GANTRY_INLINEIO"] = "maybe" });

        var lines = AssertRefused(r);
        Assert.Equal("gantry: configuration is not valid:", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("  - Gantry:Limitz", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  - Gantry:Retry:Jiter", StringComparison.Ordinal) && l.Contains("did you mean Gantry:Retry:Jitter?"));
        Assert.Contains(lines, l => l.StartsWith("  - Gantry:InlineIo", StringComparison.Ordinal) && l.Contains("true or false"));
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public async Task Migrate_checks_the_settings_too()
    {
        using var folder = new TempFolder("gantry-settings");

        var r = await GantryCli.RunAsync(["migrate", "--data", Path.Combine(folder.Path, "data")],
            new Dictionary<string, string?> { ["GANTRY_SQLITE__SYNCH"] = "Normal" });

        var line = Assert.Single(AssertRefused(r));
        Assert.Contains("Gantry:Sqlite:SYNCH (set by the environment variable GANTRY_SQLITE__SYNCH)", line);
        Assert.Contains("did you mean Gantry:Sqlite:Sync?", line);
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "data")), "migrate created the store despite the bad setting");
    }

    private static async Task<string> WriteSettings(TempFolder folder, string json)
    {
        var file = Path.Combine(folder.Path, "gantry.json");
        await File.WriteAllTextAsync(file, json);
        return file;
    }
}
