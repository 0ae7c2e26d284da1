using Gantry.Testing;
using Gantry.Workers.Config;

namespace Gantry.Workers.Tests;

/// <summary>The workers file on its own: what a good file becomes, and that every kind of mistake is reported with the
/// file, line and column where it is.</summary>
public sealed class ConfigLoaderTests : IDisposable
{
    private readonly TempFolder _folder = new("gantry-workers-config");

    private string PathOf(string name) => Path.Combine(_folder.Path, name);

    private ConfigException Fails(string yaml)
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, PathOf("workers.yaml")));
        Assert.All(ex.Errors, e => Assert.Equal(PathOf("workers.yaml"), e.File));
        return ex;
    }

    private static void HasError(ConfigException ex, int line, string text) =>
        Assert.True(ex.Errors.Any(e => e.Line == line && e.Message.Contains(text, StringComparison.Ordinal)),
            $"expected an error at line {line} containing '{text}'; got:\n{ex.Message}");

    [Fact]
    public void A_good_file_gets_defaults_and_paths_resolved_against_its_folder()
    {
        File.WriteAllText(PathOf("make-thumbnail.sh"), "#!/bin/sh\n");
        var config = ConfigLoader.Parse("""
            server: http://127.0.0.1:9999
            pid_file: run/workers.pid
            log_format: json
            shutdown_grace: 1500ms
            pools:
              - name: thumbs
                queues: [images, images.big]
                command: ["./make-thumbnail.sh", "--size", "64"]
                processes: 3
                max_jobs_per_child: 5
                timeout: 2m
                env: { LANG: C }
              - name: http
                queues: hooks
                url: http://127.0.0.1:1/hook
            """, PathOf("workers.yaml"));

        Assert.Equal(new Uri("http://127.0.0.1:9999"), config.Server);
        Assert.Equal(PathOf("run/workers.pid"), config.PidFile);
        Assert.Equal(PathOf("workers.yaml") + ".status.json", config.StatusFile);
        Assert.Equal(LogFormat.Json, config.LogFormat);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), config.ShutdownGrace);
        var thumbs = config.Pools[0];
        Assert.Equal(["images", "images.big"], thumbs.Queues);
        Assert.Equal([PathOf("make-thumbnail.sh"), "--size", "64"], thumbs.Command);
        Assert.Equal((3, PoolConfig.DefaultConcurrency, 5, PoolConfig.DefaultMaxMemoryMb), (thumbs.Processes, thumbs.Concurrency, thumbs.MaxJobsPerChild, thumbs.MaxMemoryMb));
        Assert.Equal(TimeSpan.FromMinutes(2), thumbs.Timeout);
        Assert.Equal("C", thumbs.Env["LANG"]);
        Assert.Equal(_folder.Path, thumbs.WorkingDirectory);
        var http = config.Pools[1];
        Assert.Equal((HandlerKind.Url, PoolConfig.DefaultProcesses, PoolConfig.DefaultMaxJobsPerChild), (http.Kind, http.Processes, http.MaxJobsPerChild));
        Assert.Equal(["hooks"], http.Queues);
        Assert.Equal(PoolConfig.DefaultTimeout, http.Timeout);
    }

    [Fact]
    public void A_yaml_syntax_error_names_its_line_and_column()
    {
        var ex = Fails("pools:\n  - name: a\n    queues: [q\n    command: x\n");
        var error = Assert.Single(ex.Errors);
        Assert.True(error.Line >= 3, ex.Message);
        Assert.True(error.Column > 0, ex.Message);
        Assert.Contains("not valid YAML", error.Message);
        Assert.StartsWith($"{PathOf("workers.yaml")}:{error.Line}:{error.Column}: ", error.ToString());
    }

    [Fact]
    public void Every_mistake_in_a_file_is_reported_at_its_line()
    {
        var ex = Fails("""
            pools:
              - name: ok
                queues: [a]
                command: ["/bin/true"]
                procesess: 2
              - queues: [b]
                command: ["/bin/true"]
              - name: noqueues
                command: ["/bin/true"]
              - name: twokinds
                queues: [c]
                command: ["/bin/true"]
                url: http://127.0.0.1:1/
              - name: numbers
                queues: [d]
                command: ["/bin/true"]
                processes: lots
                concurrency: 0
                timeout: 30x
              - name: ok
                queues: [e]
                command: ["/bin/true"]
              - name: nokind
                queues: [f]
            """);

        HasError(ex, 5, "unknown key 'procesess'");
        HasError(ex, 6, "'name' is missing");
        HasError(ex, 8, "'queues' is missing");
        HasError(ex, 13, "exactly one of command, handler or url (found command and url)");
        HasError(ex, 17, "'processes' must be a whole number from 1 to 256, not 'lots'");
        HasError(ex, 18, "'concurrency' must be a whole number");
        HasError(ex, 19, "'timeout' must be a duration such as 500ms, 30s, 2m or 1h, not '30x'");
        HasError(ex, 20, "pool name 'ok' is used twice (first at line 2)");
        HasError(ex, 23, "give exactly one of command, handler or url");
        Assert.Contains($"{PathOf("workers.yaml")}:19:", ex.Message);
    }

    [Fact]
    public void Top_level_mistakes_are_reported_too()
    {
        var ex = Fails("""
            server: localhost:4780
            log_format: xml
            shutdown_grace: forever
            colour: blue
            """);

        HasError(ex, 1, "'server' must be an http:// or https:// address");
        HasError(ex, 2, "'log_format' must be plain or json");
        HasError(ex, 3, "'shutdown_grace' must be a duration");
        HasError(ex, 4, "unknown key 'colour'");
        Assert.Contains(ex.Errors, e => e.Message.Contains("'pools' is missing"));
    }

    [Fact]
    public void A_handler_type_that_does_not_exist_is_a_config_error_at_its_line()
    {
        var assembly = typeof(ConfigLoaderTests).Assembly.Location;
        var ex = Fails($"""
            pools:
              - name: missing
                queues: [a]
                handler: "Gantry.Workers.Tests.NoSuchHandler, Gantry.Workers.Tests"
                assembly: {assembly}
              - name: notahandler
                queues: [b]
                handler: "Gantry.Workers.Tests.ConfigLoaderTests, Gantry.Workers.Tests"
                assembly: {assembly}
              - name: nofile
                queues: [c]
                handler: "MyApp.Thumbnails, MyApp"
                assembly: bin/MyApp.dll
            """);

        HasError(ex, 4, "type 'Gantry.Workers.Tests.NoSuchHandler' is not in assembly 'Gantry.Workers.Tests'");
        HasError(ex, 8, "is not a concrete class implementing Gantry.Client.Workers.IJobHandler");
        HasError(ex, 12, $"the assembly file {PathOf("bin/MyApp.dll")} does not exist");
    }

    [Fact]
    public void A_command_path_that_does_not_exist_is_a_config_error()
    {
        var ex = Fails("""
            pools:
              - name: thumbs
                queues: [images]
                command: ["./missing.sh", "arg"]
            """);

        HasError(ex, 4, $"the command {PathOf("missing.sh")} does not exist");
    }

    [Fact]
    public void A_handler_type_in_an_assembly_file_loads()
    {
        var config = ConfigLoader.Parse($"""
            pools:
              - name: dotnet
                queues: [a]
                handler: "{typeof(ReverseHandler).FullName}, Gantry.Workers.Tests"
                assembly: {typeof(ReverseHandler).Assembly.Location}
            """, PathOf("workers.yaml"));

        Assert.Equal(HandlerKind.Handler, config.Pools[0].Kind);
    }

    [Fact]
    public void A_pool_of_gearman_functions_reads_with_the_gearman_address()
    {
        var config = ConfigLoader.Parse("""
            gearman: 10.0.0.5:4731
            pools:
              - name: resize
                functions: [resize, resize.big]
                command: ["cat"]
            """, PathOf("workers.yaml"));

        Assert.Equal("10.0.0.5:4731", config.Gearman);
        Assert.Equal(["resize", "resize.big"], config.Pools[0].Functions);
        Assert.Empty(config.Pools[0].Queues);
        Assert.Equal(Gantry.Workers.Child.Gearman.GearmanEndpoint.Default,
            ConfigLoader.Parse("pools: [{name: q, queues: [a], command: [cat]}]", PathOf("workers.yaml")).Gearman);
    }

    [Fact]
    public void Queues_and_functions_together_or_neither_and_a_bad_gearman_address_are_errors()
    {
        var ex = Fails("""
            gearman: nowhere
            pools:
              - name: both
                queues: [a]
                functions: [b]
                command: [cat]
              - name: neither
                command: [cat]
            """);
        HasError(ex, 1, "'gearman' must be HOST:PORT");
        HasError(ex, 5, "give 'queues' or 'functions', not both");
        HasError(ex, 7, "'queues' is missing");
    }

    [Fact]
    public void A_missing_file_is_a_config_error_naming_it()
    {
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(PathOf("nope.yaml")));
        Assert.Contains(PathOf("nope.yaml"), ex.Message);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("2m", 120_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("0", 0)]
    public void Durations_read_as_people_write_them(string text, int ms)
    {
        Assert.True(Durations.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), value);
    }

    [Theory]
    [InlineData("30")]
    [InlineData("30 seconds")]
    [InlineData("-1s")]
    [InlineData("1d")]
    [InlineData("")]
    public void Durations_without_a_known_unit_are_refused(string text) => Assert.False(Durations.TryParse(text, out _));

    public void Dispose() => _folder.Dispose();
}
