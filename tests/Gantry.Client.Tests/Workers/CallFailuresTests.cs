using System.Net;
using System.Net.Sockets;
using Gantry.Client.Tests.Support;
using Gantry.Client.Workers;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Gantry.Client.Tests.Workers;

/// <summary>How the worker host's calls report a server that is down or refusing: one line per change, backoff between tries.</summary>
public sealed class CallFailuresTests
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(1), Max = TimeSpan.FromSeconds(30);
    private readonly LogSink _sink = new();

    private CallFailures New() => new("Fetching from queue q", "http://127.0.0.1:4780/", First, Max, TimeProvider.System, _sink.CreateLogger("Gantry.Worker"));

    private static HttpRequestException Refused() =>
        new("Connection refused (127.0.0.1:4780)", new SocketException((int)SocketError.ConnectionRefused));

    [Fact]
    public void A_server_that_stays_down_is_logged_once_in_one_line_and_its_return_once()
    {
        var calls = New();
        for (var i = 0; i < 100; i++) calls.Failed(Refused());
        calls.Succeeded();
        calls.Succeeded();

        var lines = _sink.Entries;
        Assert.Equal(2, lines.Count);
        Assert.Equal(LogLevel.Warning, lines[0].Level);
        Assert.Null(lines[0].Exception); // no stack trace for a server that is simply down
        Assert.Contains("Fetching from queue q failed", lines[0].Message);
        Assert.Contains("http://127.0.0.1:4780/ cannot be reached", lines[0].Message);
        Assert.Equal(LogLevel.Information, lines[1].Level);
        Assert.Contains("works again", lines[1].Message);
    }

    [Fact]
    public void A_new_reason_is_news_and_a_failure_after_recovery_is_logged_again()
    {
        var calls = New();
        calls.Failed(Refused());
        calls.Failed(new GantryApiException(HttpStatusCode.ServiceUnavailable, "Service Unavailable", "the postgresql store cannot be reached", null));
        calls.Failed(new GantryApiException(HttpStatusCode.ServiceUnavailable, "Service Unavailable", "the postgresql store cannot be reached", null));
        calls.Succeeded();
        calls.Failed(Refused());

        var messages = _sink.Entries.Select(e => e.Message).ToList();
        Assert.Equal(4, messages.Count);
        Assert.Contains("answered 503: the postgresql store cannot be reached", messages[1]);
        Assert.Contains("works again", messages[2]);
        Assert.Contains("cannot be reached", messages[3]);
    }

    [Fact]
    public void The_pause_doubles_from_the_first_delay_up_to_the_maximum_with_jitter()
    {
        var calls = New();
        var pauses = Enumerable.Range(0, 12).Select(_ => calls.Failed(Refused()).TotalSeconds).ToList();
        double[] expected = [1, 2, 4, 8, 16, 30, 30, 30, 30, 30, 30, 30];
        for (var i = 0; i < expected.Length; i++)
            Assert.InRange(pauses[i], expected[i] * (1 - CallFailures.Jitter), expected[i] * (1 + CallFailures.Jitter));

        calls.Succeeded();
        Assert.InRange(calls.Failed(Refused()).TotalSeconds, 1 - CallFailures.Jitter, 1 + CallFailures.Jitter); // starts over
    }

    [Fact]
    public void An_unexpected_error_keeps_its_exception_for_the_log()
    {
        New().Failed(new InvalidOperationException("a bug"));
        Assert.IsType<InvalidOperationException>(Assert.Single(_sink.Entries).Exception);
    }
}
