using System.Security.Cryptography;
using Gantry.Core;
using Gantry.Core.Topics;
using Gantry.Protocol.Stomp;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace Gantry.Stomp;

/// <summary>
/// One STOMP connection: reads frames with the codec, handles them in order (a SEND's RECEIPT goes out once its
/// message is committed), and owns what the connection holds — its subscriptions and its heart-beat timers — so that
/// all of it ends when the connection does. Any error ends the session the specification's way: one ERROR frame,
/// then close, with the reason logged.
/// </summary>
internal sealed partial class StompSession
{
    private readonly ConnectionContext _connection;
    private readonly StompOptions _options;
    private readonly StompReader _reader;
    private readonly TopicEngine _engine;
    private readonly TopicHub _hub;
    private readonly StompCredentials _credentials;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Dictionary<string, StompSubscription> _subscriptions = new(StringComparer.Ordinal);
    private long _lastRead;
    private string? _closeReason;
    private string? _closeError;
    private Task _sendingBeats = Task.CompletedTask;
    private Task _watchingBeats = Task.CompletedTask;

    public StompSession(ConnectionContext connection, StompOptions options, StompReadLimits limits, TopicEngine engine, TopicHub hub,
        StompCredentials credentials, TimeProvider time, ILogger log)
    {
        (_connection, _options, _engine, _hub, _credentials, _time, _log) = (connection, options, engine, hub, credentials, time, log);
        _reader = new StompReader(limits);
        Out = new StompOutbox(connection.Transport.Output, time);
        Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        _lastRead = time.GetTimestamp();
    }

    /// <summary>The session id CONNECTED names, also in this session's log lines.</summary>
    public string Id { get; }

    public StompOutbox Out { get; }

    /// <summary>Whether the negotiated version escapes headers (1.1 and 1.2).</summary>
    public bool Escapes { get; private set; } = true;

    private bool Connected { get; set; }

    private string Remote => _connection.RemoteEndPoint?.ToString() ?? "-";

    public async Task RunAsync()
    {
        var input = _connection.Transport.Input;
        // Kestrel asks every connection to close when the server stops; a subscriber idle between messages would
        // otherwise hold the shutdown. Subscriptions hear it from the hub too, with where to resume.
        using var stopping = _connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested
            .Register(() => RequestClose("the server is stopping", null));
        using var connectTimer = _time.CreateTimer(_ =>
        {
            if (!Connected)
                RequestClose($"no CONNECT within {_options.ConnectTimeout.TotalSeconds:0.###} s",
                    $"the session was not opened with CONNECT or STOMP within {_options.ConnectTimeout.TotalSeconds:0.###} s (Gantry:Stomp:ConnectTimeout)");
        }, null, _options.ConnectTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            while (true)
            {
                // Not cancelled by the connection's token: bytes that arrived before a close are still handled. A close
                // asked for by a timer or a subscription cancels the pending read instead.
                var read = await input.ReadAsync().ConfigureAwait(false);
                Volatile.Write(ref _lastRead, _time.GetTimestamp());
                var buffer = read.Buffer;
                // A close asked for elsewhere leaves the bytes unread: the session is over.
                var closing = Volatile.Read(ref _closeReason) is not null;
                var close = false;
                while (!close && !closing)
                {
                    var status = _reader.TryRead(ref buffer, out var frame, out var error);
                    if (status == StompReadStatus.Incomplete) break;
                    if (status == StompReadStatus.HeartBeat) continue;
                    if (status == StompReadStatus.Error)
                    {
                        _log.LogInformation("STOMP connection {Remote} (session {Session}) sent bad input ({Code}: {Message}); closing it",
                            Remote, Id, error.Code, error.Message);
                        await ErrorAsync(null, error.Message, []).ConfigureAwait(false);
                        close = true;
                        break;
                    }
                    close = !await HandleAsync(frame!).ConfigureAwait(false);
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (close || read.IsCompleted) break;
                if (Volatile.Read(ref _closeReason) is { } reason)
                {
                    _log.LogInformation("STOMP connection {Remote} (session {Session}) closed: {Reason}", Remote, Id, reason);
                    if (Volatile.Read(ref _closeError) is { } message) await ErrorAsync(null, message, []).ConfigureAwait(false);
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ConnectionResetException or IOException)
        {
            // The peer went away.
        }
        catch (Exception e)
        {
            // A fault of the server's (the store failed mid-publish, say) ends this session, never the server, and the
            // client is told rather than left with a silent close.
            _log.LogWarning(e, "STOMP connection {Remote} (session {Session}) failed; closing it", Remote, Id);
            await ErrorAsync(null, "the server failed to handle a frame and closes the connection; try again", []).ConfigureAwait(false);
        }
        finally
        {
            await _lifetime.CancelAsync().ConfigureAwait(false);
            foreach (var subscription in _subscriptions.Values) await subscription.DisposeAsync().ConfigureAwait(false);
            _subscriptions.Clear();
            await _sendingBeats.ConfigureAwait(false);
            await _watchingBeats.ConfigureAwait(false);
            await Out.SealAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Handles one frame; false when the session ends after it (an ERROR was sent, or the client said
    /// DISCONNECT).</summary>
    private async ValueTask<bool> HandleAsync(StompFrame frame)
    {
        try
        {
            if (!Connected)
            {
                if (frame.Command is not (StompCommand.Connect or StompCommand.Stomp))
                    throw new StompSessionException($"expected CONNECT or STOMP to open the session, got {StompCommands.Name(frame.Command)}");
                await ConnectAsync(frame).ConfigureAwait(false);
                return true;
            }
            switch (frame.Command)
            {
                case StompCommand.Send:
                    await PublishAsync(frame).ConfigureAwait(false);
                    return true;
                case StompCommand.Subscribe:
                    await SubscribeAsync(frame).ConfigureAwait(false);
                    return true;
                case StompCommand.Unsubscribe:
                    await UnsubscribeAsync(frame).ConfigureAwait(false);
                    return true;
                case StompCommand.Disconnect:
                    await ReceiptAsync(frame).ConfigureAwait(false);
                    _log.LogDebug("STOMP connection {Remote} (session {Session}) disconnected", Remote, Id);
                    return false;
                case StompCommand.Connect or StompCommand.Stomp:
                    throw new StompSessionException("the session is already open: send CONNECT once per connection");
                case StompCommand.Ack or StompCommand.Nack or StompCommand.Begin or StompCommand.Commit or StompCommand.Abort:
                    throw new StompSessionException($"{StompCommands.Name(frame.Command)} is not supported yet: subscriptions are ack:auto and " +
                                                    "each SEND takes effect on its own");
                default:
                    throw new StompSessionException($"{StompCommands.Name(frame.Command)} is a frame the server sends, not a client");
            }
        }
        catch (Exception e) when (e is StompSessionException or GantryException)
        {
            _log.LogInformation("STOMP connection {Remote} (session {Session}): {Command} refused ({Message}); closing it",
                Remote, Id, StompCommands.Name(frame.Command), e.Message);
            await ErrorAsync(frame, OneLine(e.Message), (e as StompSessionException)?.Headers ?? []).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>RECEIPT for a frame that asked for one.</summary>
    private async ValueTask ReceiptAsync(StompFrame frame)
    {
        if (frame[StompHeaderNames.Receipt] is { } receipt)
            await Out.SendAsync(StompCommand.Receipt, [new(StompHeaderNames.ReceiptId, receipt)], default, _lifetime.Token).ConfigureAwait(false);
    }

    /// <summary>The ERROR frame: <c>message</c> says what went wrong, <c>receipt-id</c> answers the frame's receipt, the
    /// body repeats the message for clients that show only bodies.</summary>
    private async ValueTask ErrorAsync(StompFrame? frame, string message, StompHeader[] extra)
    {
        var headers = new List<StompHeader>(3 + extra.Length) { new(StompHeaderNames.Message, message) };
        if (frame?[StompHeaderNames.Receipt] is { } receipt) headers.Add(new(StompHeaderNames.ReceiptId, receipt));
        headers.AddRange(extra);
        headers.Add(new(StompHeaderNames.ContentType, "text/plain"));
        try
        {
            await Out.SendErrorAsync([.. headers], _lifetime.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The connection is going away; the ERROR has no one to read it.
        }
    }

    /// <summary>Sends an ERROR and closes the session; for the subscription pumps, which run beside the read loop.</summary>
    public async ValueTask FailAsync(string message, string reason)
    {
        _log.LogInformation("STOMP connection {Remote} (session {Session}) closed: {Reason} ({Message})", Remote, Id, reason, message);
        await ErrorAsync(null, message, []).ConfigureAwait(false);
        RequestClose(reason, null);
    }

    /// <summary>Asks the read loop to end the session: it sees the cancelled read, sends <paramref name="error"/> as an
    /// ERROR when given, and closes. The first reason wins.</summary>
    private void RequestClose(string reason, string? error)
    {
        if (Interlocked.CompareExchange(ref _closeReason, reason, null) is not null) return;
        Volatile.Write(ref _closeError, error);
        _connection.Transport.Input.CancelPendingRead();
    }

    /// <summary>A client cut off for falling behind gets the topics' SlowClientGrace to take its last frames and the
    /// ERROR; one whose socket is stuck (it stopped reading) is dropped then, instead of holding its buffer.</summary>
    private async Task AbortAfterGraceAsync()
    {
        try
        {
            await Task.Delay(_engine.Options.SlowClientGrace, _time, _lifetime.Token).ConfigureAwait(false);
            _log.LogInformation("STOMP connection {Remote} (session {Session}) fell behind and did not read its ERROR within {Seconds:0.###} s " +
                                "(Gantry:Topics:SlowClientGrace); dropping it", Remote, Id, _engine.Options.SlowClientGrace.TotalSeconds);
            _connection.Abort();
        }
        catch (OperationCanceledException)
        {
            // The session ended within the grace.
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
