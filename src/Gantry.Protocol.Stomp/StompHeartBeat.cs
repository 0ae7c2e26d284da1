using System.Globalization;

namespace Gantry.Protocol.Stomp;

/// <summary>
/// A <c>heart-beat</c> header's two numbers, in milliseconds, as one side states them: <see cref="Send"/> is the
/// smallest interval at which it can send beats (0: it cannot), <see cref="Receive"/> the interval at which it wants
/// to get them (0: it does not want any). A missing header means <c>0,0</c>.
/// </summary>
public readonly record struct StompHeartBeat(int Send, int Receive)
{
    /// <summary>No heart-beats either way: what a frame without the header asks for.</summary>
    public static readonly StompHeartBeat None = new(0, 0);

    /// <summary>The header value, <c>"send,receive"</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Send},{Receive}");

    /// <summary>
    /// Reads a <c>heart-beat</c> value: two non-negative decimal integers of milliseconds separated by one comma,
    /// nothing else (no spaces, no signs). Null, the header's absence, is <see cref="None"/>. On failure
    /// <paramref name="error"/> is a one-line message for an ERROR frame.
    /// </summary>
    public static bool TryParse(string? value, out StompHeartBeat heartBeat, out string error)
    {
        heartBeat = None;
        error = "";
        if (value is null) return true;

        var comma = value.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0 || !TryMilliseconds(value.AsSpan(0, comma), out var send) || !TryMilliseconds(value.AsSpan(comma + 1), out var receive))
        {
            error = $"heart-beat \"{value}\" is not two whole numbers of milliseconds separated by a comma, like \"10000,10000\" (0 for none)";
            return false;
        }
        heartBeat = new StompHeartBeat(send, receive);
        return true;
    }

    /// <summary>
    /// The intervals a session uses, from the client's CONNECT header and the server's own: each direction beats at
    /// the larger of what its sender can do and what its receiver wants, or not at all when either side says 0.
    /// </summary>
    public static StompHeartBeatIntervals Negotiate(StompHeartBeat client, StompHeartBeat server) =>
        new(ServerSends: Interval(server.Send, client.Receive), ClientSends: Interval(client.Send, server.Receive));

    private static TimeSpan Interval(int sender, int receiver) =>
        sender == 0 || receiver == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Max(sender, receiver));

    private static bool TryMilliseconds(ReadOnlySpan<char> text, out int milliseconds)
    {
        milliseconds = 0;
        // int.TryParse alone would take "+5", " 5" or "٥"; the header grammar is ASCII digits only.
        if (text.IsEmpty || text.ContainsAnyExceptInRange('0', '9')) return false;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out milliseconds);
    }
}

/// <summary>
/// The negotiated heart-beat intervals, seen from the server. <see cref="TimeSpan.Zero"/> means none in that
/// direction. A server sends something at least every <see cref="ServerSends"/> and should allow the client some
/// grace beyond <see cref="ClientSends"/> before it gives up (browsers throttle timers in background tabs).
/// </summary>
public readonly record struct StompHeartBeatIntervals(TimeSpan ServerSends, TimeSpan ClientSends);
