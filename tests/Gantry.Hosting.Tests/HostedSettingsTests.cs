using Gantry.Testing;
using Xunit;

namespace Gantry.Hosting.Tests;

/// <summary>
/// The settings check is part of <c>AddGantry</c>, not of the <c>gantry</c> executable: an application hosting Gantry
/// with a misspelled or retired key under <c>Gantry</c> does not start, and its error names the key and the setting
/// meant, as the executable's does.
/// </summary>
public sealed class HostedSettingsTests
{
    [Theory]
    [InlineData("--Gantry:Limitz:MaxPayloadBytes=2048", "Gantry:Limitz (on the command line) is not a Gantry setting; did you mean Gantry:Limits?")]
    [InlineData("--Gantry:Gearman:MaxMemoryJobs=10", "use Gantry:MemoryLane:MaxJobs")]
    public async Task A_hosting_application_with_an_unknown_gantry_key_does_not_start_and_names_it(string setting, string expected)
    {
        using var data = new TempFolder("gantry-hosted-settings");
        var dll = Path.Combine(AppContext.BaseDirectory, "Gantry.Samples.Hosted.dll");

        var r = await ChildProcess.RunDotnetAsync(dll,
            ["--urls", "http://127.0.0.1:0", $"--Gantry:Data={data.Path}", "--Gantry:Gearman:Listen=off", "--Gantry:Stomp:Listen=off", setting],
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["GANTRY_URLS"] = null });

        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains(expected, r.Stdout + r.Stderr);
        Assert.DoesNotContain("Application started", r.Stdout);
    }
}
