using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Gantry.Server.Tests.Cli;

/// <summary>
/// <c>gantry server</c> that cannot start, each under the real condition (a port another socket holds, a data folder
/// another server holds, a PostgreSQL port nobody listens on, a file where the data folder should be, bad settings):
/// one sentence on stderr naming what is at fault and what changes it, no stack trace, and one exit-code convention:
/// 2 when the command or configuration must change, 1 when the server could not start for another reason.
/// </summary>
public sealed class StartupFailureTests
{
    /// <summary>The one line on stderr; the log on stdout (a store opened before the failure) holds no stack trace either.</summary>
    private static string AssertOneLine(ProcessResult r, int exitCode)
    {
        Assert.True(r.ExitCode == exitCode, r.ToString());
        Assert.DoesNotContain("listening on", r.Stdout);
        CliArgumentTests.AssertNoInternals(r);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("gantry: ", line);
        return line;
    }

    private static TcpListener Occupy()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static int Port(TcpListener listener) => ((IPEndPoint)listener.LocalEndpoint).Port;

    [Fact]
    public async Task An_http_port_in_use_names_the_address_and_suggests_urls()
    {
        await using var store = TestStore.Sqlite();
        using var taken = Occupy();
        var url = $"http://127.0.0.1:{Port(taken)}";

        var r = await GantryCli.RunAsync(["server", .. store.CliArguments, "--urls", url]);

        var line = AssertOneLine(r, 1);
        Assert.Contains($"the HTTP address {url} is in use", line);
        Assert.Contains("--urls", line);
    }

    [Fact]
    public async Task A_gearman_port_in_use_names_it_and_suggests_gearman()
    {
        await using var store = TestStore.Sqlite();
        using var taken = Occupy();
        var gearman = $"127.0.0.1:{Port(taken)}";

        var r = await GantryCli.RunAsync(["server", .. store.CliArguments, "--urls", "http://127.0.0.1:0", "--gearman", gearman]);

        var line = AssertOneLine(r, 1);
        Assert.Contains($"the Gearman port {gearman} is in use", line);
        Assert.Contains("--gearman off", line);
    }

    [Fact]
    public async Task A_stomp_port_in_use_names_it_and_suggests_stomp()
    {
        await using var store = TestStore.Sqlite();
        using var taken = Occupy();
        var stomp = $"127.0.0.1:{Port(taken)}";

        var r = await GantryCli.RunAsync(["server", .. store.CliArguments, "--urls", "http://127.0.0.1:0", "--stomp", stomp]);

        var line = AssertOneLine(r, 1);
        Assert.Contains($"the STOMP port {stomp} is in use", line);
        Assert.Contains("--stomp off", line);
    }

    [Fact]
    public async Task A_data_folder_another_server_holds_is_one_line_exit_1()
    {
        await using var store = TestStore.Sqlite();
        await using var first = await ServerProcess.StartAsync(store);

        var r = await GantryCli.RunAsync(["server", .. store.CliArguments, "--urls", "http://127.0.0.1:0"]);

        Assert.Contains("Another Gantry server is using the data folder", AssertOneLine(r, 1));
    }

    [Theory]
    [InlineData("server")]
    [InlineData("migrate")]
    public async Task An_unreachable_postgresql_store_is_named_with_its_address_and_the_flag_that_sets_it(string verb)
    {
        // A port that was just free and that nobody listens on: connections to it are refused.
        var port = FreePort.Next();
        var connection = $"Host=127.0.0.1;Port={port};Username=gantry;Database=gantry;";
        string[] args = verb == "server" ? ["server", "--store", connection, "--urls", "http://127.0.0.1:0"] : ["migrate", "--store", connection];

        var r = await GantryCli.RunAsync(args);

        var line = AssertOneLine(r, 1);
        Assert.Contains($"cannot reach the PostgreSQL store at 127.0.0.1:{port}: ", line);
        Assert.Contains("--store", line);
        Assert.Contains("GANTRY_STORE", line);
        Assert.DoesNotContain("Failed to connect", r.Stdout + r.Stderr); // the driver's words, said as the store's
    }

    [Fact]
    public async Task A_file_where_the_data_folder_should_be_is_a_configuration_error()
    {
        using var folder = new TempFolder("gantry-startup");
        var file = Path.Combine(folder.Path, "not-a-folder");
        await File.WriteAllTextAsync(file, "x");

        var r = await GantryCli.RunAsync(["server", "--data", file, "--urls", "http://127.0.0.1:0"]);

        var line = AssertOneLine(r, 2);
        Assert.Contains($"Gantry:Data (--data, GANTRY_DATA): {file} is a file", line);
    }

    [Theory]
    [InlineData(new[] { "--gearman", "nonsense" }, null, null, "Gantry:Gearman:Listen: 'nonsense' is not HOST:PORT")]
    [InlineData(new[] { "--stomp", "nonsense" }, null, null, "Gantry:Stomp:Listen: 'nonsense' is not HOST:PORT")]
    [InlineData(new string[0], "GANTRY_LIMITS__MAXPAYLOADBYTES", "abc", "Gantry:Limits:MaxPayloadBytes (set by the environment variable GANTRY_LIMITS__MAXPAYLOADBYTES) must be a whole number")]
    [InlineData(new string[0], "GANTRY_LIMITS__MAXPAYLOADBYTES", "-5", "Gantry:Limits:MaxPayloadBytes must be between 1 and")]
    public async Task A_bad_setting_is_one_line_exit_2(string[] flags, string? variable, string? value, string message)
    {
        await using var store = TestStore.Sqlite();
        var environment = variable is null ? null : new Dictionary<string, string?> { [variable] = value };

        var r = await GantryCli.RunAsync(["server", .. store.CliArguments, "--urls", "http://127.0.0.1:0", .. flags], environment);

        Assert.Contains(message, AssertOneLine(r, 2));
    }
}
