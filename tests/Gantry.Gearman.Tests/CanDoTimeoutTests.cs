using Gantry.Gearman.Tests.Infrastructure;
using Gantry.Gearman.Tests.Protocol;
using Microsoft.Extensions.Options;
using Xunit;
using static Gantry.Gearman.Tests.Infrastructure.GearmanTools;

namespace Gantry.Gearman.Tests;

/// <summary>
/// CAN_DO_TIMEOUT from Perl's Gearman::Worker, which sends the timeout in seconds as gearmand before 1.1.19 read it
/// (gearmand 1.1.19+ reads milliseconds and fails such a worker's jobs at once; gearmand issue 196). Gantry reads a
/// number below 1000 as seconds by default (<c>Gantry:Gearman:CanDoTimeoutUnit</c> = auto). The jobs sleep for longer
/// than a second, so a timeout read as milliseconds fails them; the client is Perl's Gearman::Client.
/// </summary>
[Trait("Server", "Gantry")]
public sealed class CanDoTimeoutTests(SharedServer shared) : IClassFixture<SharedServer>
{
    private readonly GearmanServer _server = shared.Server;

    [Fact]
    public async Task A_job_longer_than_a_second_but_within_a_perl_workers_timeout_in_seconds_completes()
    {
        var function = Names.Function("perl_timeout_ok");
        await using var worker = StartPerl("timeout_worker.pl", _server.Address, function, "3", "1.5");
        await worker.WaitForLineAsync(l => l == "registered", "the worker to register with a 3-second timeout");

        var client = await PerlAsync("on_fail.pl", _server.Address, function, "1.5");

        Assert.True(client.Stdout == "on_complete: slept 1.5",
            $"client: {client}\nworker: {worker.Stdout}\n{worker.Stderr}\n{_server.Output}");
    }

    [Fact]
    public async Task A_job_longer_than_a_perl_workers_timeout_in_seconds_fails()
    {
        var function = Names.Function("perl_timeout_late");
        await using var worker = StartPerl("timeout_worker.pl", _server.Address, function, "1", "2.5");
        await worker.WaitForLineAsync(l => l == "registered", "the worker to register with a 1-second timeout");

        var client = await PerlAsync("on_fail.pl", _server.Address, function, "2.5");

        // WORK_FAIL reached the client (Gearman::Taskset's reason for it), not a result.
        Assert.True(client.Stdout == "on_fail: jshandle fail", $"client: {client}\nworker: {worker.Stdout}\n{worker.Stderr}\n{_server.Output}");
        Assert.Contains("start 2.5", worker.Stdout);
    }

    /// <summary>A server told that every worker means milliseconds (gearmand 1.1.19's reading) gives the same Perl
    /// worker 3 ms: the setting is what decides.</summary>
    [Fact]
    public async Task Forcing_milliseconds_reads_the_perl_workers_3_as_3_ms()
    {
        await using var server = await GearmanServer.StartGantryAsync(new Dictionary<string, string?>
        {
            ["GANTRY_GEARMAN__CANDOTIMEOUTUNIT"] = "milliseconds",
        });
        var function = Names.Function("perl_timeout_ms");
        await using var worker = StartPerl("timeout_worker.pl", server.Address, function, "3", "1.5");
        await worker.WaitForLineAsync(l => l == "registered", "the worker to register");

        var client = await PerlAsync("on_fail.pl", server.Address, function, "1.5");

        Assert.True(client.Stdout == "on_fail: jshandle fail", $"client: {client}\nworker: {worker.Stdout}\n{worker.Stderr}\n{server.Output}");
    }

    [Fact]
    public async Task A_unit_that_is_not_auto_seconds_or_milliseconds_stops_the_server_naming_the_setting()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            ProtocolServer.StartAsync(new Dictionary<string, string?> { ["Gantry:Gearman:CanDoTimeoutUnit"] = "minutes" }));

        Assert.Contains("Gantry:Gearman:CanDoTimeoutUnit must be 'auto', 'seconds' or 'milliseconds' (got 'minutes').", ex.Failures);
    }
}
