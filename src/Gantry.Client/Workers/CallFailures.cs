using System.Net.Http;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Gantry.Client.Workers;

/// <summary>
/// One kind of call the worker host keeps making (fetching from a queue, sending reports, heartbeats), and how it has
/// been going: while the server is down or refuses, the log gets one line when the calls start failing (and one more
/// if the reason changes), one when they work again, never a stack trace per try; and the pause before the next try
/// doubles from <see cref="GantryWorkerOptions.RetryDelay"/> up to <see cref="GantryWorkerOptions.MaxRetryDelay"/>,
/// with jitter, so a fleet of workers neither hammers a restarting server nor returns to it all at once.
/// </summary>
internal sealed class CallFailures(string what, string server, TimeSpan firstDelay, TimeSpan maxDelay, TimeProvider time, ILogger log)
{
    /// <summary>Each pause is the backoff times a random factor in [1 - Jitter, 1 + Jitter].</summary>
    public const double Jitter = 0.2;

    private readonly Lock _gate = new();
    private volatile bool _failing;
    private int _failures;
    private string? _kind;
    private long _since;

    /// <summary>A call failed: logs it if that is news, and returns how long to pause before the next try.</summary>
    public TimeSpan Failed(Exception ex)
    {
        var (kind, reason) = Describe(ex);
        bool news, first;
        int failures;
        lock (_gate)
        {
            first = !_failing;
            news = first || kind != _kind;
            if (first) _since = time.GetTimestamp();
            _failing = true;
            _kind = kind;
            failures = ++_failures;
        }
        var delay = Backoff(failures);
        if (news)
        {
            if (IsExpected(ex))
                log.LogWarning("{What} failed: {Reason}; trying again with backoff (up to {Max:0.#} s apart) and logging again when it works",
                    what, reason, maxDelay.TotalSeconds);
            else
                log.LogWarning(ex, "{What} failed unexpectedly; trying again with backoff (up to {Max:0.#} s apart)", what, maxDelay.TotalSeconds);
        }
        return delay;
    }

    /// <summary>A call worked: logs the recovery if the calls had been failing.</summary>
    public void Succeeded()
    {
        if (!_failing) return;
        TimeSpan down;
        lock (_gate)
        {
            if (!_failing) return;
            _failing = false;
            _failures = 0;
            _kind = null;
            down = time.GetElapsedTime(_since);
        }
        log.LogInformation("{What} works again (after {Seconds:0.#} s of failures)", what, down.TotalSeconds);
    }

    private TimeSpan Backoff(int failures)
    {
        var doublings = Math.Min(failures - 1, 30);
        var backoff = Math.Min(firstDelay.TotalSeconds * Math.Pow(2, doublings), maxDelay.TotalSeconds);
        var factor = 1 - Jitter + Random.Shared.NextDouble() * 2 * Jitter;
        return TimeSpan.FromSeconds(backoff * factor);
    }

    /// <summary>What a failure of the server's or the network's making looks like, in one line; and its kind, which
    /// decides whether it is news (a reset long poll and the refused connections after it are one outage, not two).</summary>
    private (string Kind, string Reason) Describe(Exception ex) => ex switch
    {
        GantryApiException api => ($"status {(int)api.StatusCode}", $"the server answered {(int)api.StatusCode}: {api.Detail}"),
        HttpRequestException http => ("unreachable", $"the server at {server} cannot be reached ({Cause(http)})"),
        TimeoutException timeout => ("unreachable", timeout.Message),
        _ => (ex.GetType().FullName ?? "error", ex.Message),
    };

    /// <summary>The socket's words when there are some ("Connection refused"), else the kind of failure.</summary>
    private static string Cause(HttpRequestException http)
    {
        for (Exception? e = http; e is not null; e = e.InnerException)
            if (e is SocketException socket) return socket.Message;
        return http.HttpRequestError switch
        {
            HttpRequestError.ConnectionError => "the connection failed",
            HttpRequestError.ResponseEnded => "the connection was closed before the answer",
            HttpRequestError.NameResolutionError => "the host name does not resolve",
            HttpRequestError.SecureConnectionError => "the TLS handshake failed",
            _ => http.Message,
        };
    }

    private static bool IsExpected(Exception ex) => ex is GantryApiException or HttpRequestException or TimeoutException;
}
