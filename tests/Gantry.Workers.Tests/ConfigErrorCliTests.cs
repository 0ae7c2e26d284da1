using Gantry.Testing;
using Gantry.Workers.Tests.Infrastructure;

namespace Gantry.Workers.Tests;

/// <summary><c>gantry workers</c> with a broken file: a clear message with file and line, a non-zero exit, no stack
/// trace, and nothing started.</summary>
public sealed class ConfigErrorCliTests
{
    [Fact]
    public async Task A_broken_workers_file_stops_the_manager_before_anything_starts()
    {
        using var folder = WorkerManager.NewFolder();
        var config = Path.Combine(folder.Path, "workers.yaml");
        File.WriteAllText(config, """
            pid_file: workers.pid
            pools:
              - name: thumbs
                queues: [images]
                command: ["./thumb.sh"]
                timeout: soon
            """);

        var result = await GantryCli.RunAsync(["workers", "--config", config], workingDirectory: folder.Path);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"{config}:6:", result.Stderr);
        Assert.Contains("'timeout' must be a duration", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
        Assert.DoesNotContain("worker manager started", result.Stdout);
        Assert.False(File.Exists(Path.Combine(folder.Path, "workers.pid")));
        Assert.False(File.Exists(config + ".status.json"));
    }

    [Fact]
    public async Task Workers_without_a_config_says_what_to_give()
    {
        var result = await GantryCli.RunAsync(["workers"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--config FILE is required", result.Stderr);
    }
}
