namespace Gantry.Stomp;

/// <summary>
/// The two timed duties heart-beats give a session: send an EOL whenever the server has been quiet for its negotiated
/// interval, and notice a client that has been silent past its own interval plus the grace. Each runs until the
/// session's token is cancelled.
/// </summary>
internal static class StompHeartBeats
{
    /// <summary>Sends beats every <paramref name="interval"/> of quiet; returns when <paramref name="ct"/> is cancelled.</summary>
    public static async Task SendAsync(StompOutbox outbox, TimeSpan interval, TimeProvider time, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var idle = outbox.IdleFor;
                if (idle >= interval) await outbox.HeartBeatAsync(interval, ct).ConfigureAwait(false);
                else await Task.Delay(interval - idle, time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Waits until the client has been silent for <paramref name="limit"/> (its interval plus the grace), then calls
    /// <paramref name="silent"/> with how long it was; returns early when <paramref name="ct"/> is cancelled.
    /// </summary>
    public static async Task WatchAsync(Func<TimeSpan> silentFor, TimeSpan limit, TimeProvider time, Action<TimeSpan> silent,
        CancellationToken ct)
    {
        try
        {
            while (true)
            {
                var quiet = silentFor();
                if (quiet >= limit)
                {
                    silent(quiet);
                    return;
                }
                await Task.Delay(limit - quiet, time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }
}
