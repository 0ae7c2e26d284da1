using Gantry.Core.Topics;
using Gantry.Protocol.Stomp;
using Microsoft.AspNetCore.Connections;

namespace Gantry.Stomp;

/// <summary>
/// One SUBSCRIBE: a pump from the topic hub's live stream (history first for a single topic, then live) into MESSAGE
/// frames. The hub's bounded buffer is what keeps fan-out from waiting on this client; a notice that the stream ends
/// (it fell behind, the server is stopping, the topic's history was lost) becomes an ERROR naming where to resume.
/// </summary>
internal sealed class StompSubscription : IAsyncDisposable
{
    /// <summary>Epochs remembered per pattern subscription, one per topic it saw; past this the memory starts over (an
    /// epoch is one store read away), so a pattern over many topics cannot grow without bound.</summary>
    private const int MaxRememberedEpochs = 1024;

    private readonly StompSession _session;
    private readonly TopicEngine _engine;
    private readonly LiveReader _reader;
    private readonly Dictionary<string, string> _epochs = new(StringComparer.Ordinal);
    private Task _pump = Task.CompletedTask;

    /// <param name="session">The connection.</param>
    /// <param name="id">The SUBSCRIBE's <c>id</c>.</param>
    /// <param name="destination">As the client wrote it, for messages.</param>
    /// <param name="topic">The one topic subscribed to; null for a pattern.</param>
    /// <param name="items">The hub's stream, not started yet.</param>
    /// <param name="engine">For the epoch of a topic the stream did not announce one for.</param>
    /// <param name="sessionToken">Cancelled when the connection closes.</param>
    public StompSubscription(StompSession session, string id, string destination, string? topic, Func<CancellationToken, IAsyncEnumerable<LiveItem>> items,
        TopicEngine engine, CancellationToken sessionToken)
    {
        (_session, Id, Destination, Topic, _engine) = (session, id, destination, topic, engine);
        _reader = new LiveReader(items, sessionToken);
    }

    public string Id { get; }
    public string Destination { get; }

    /// <summary>The one topic subscribed to; null for a pattern.</summary>
    public string? Topic { get; }

    /// <summary>
    /// Takes the first step of the stream now, on the caller's thread: a pattern subscription joins the hub before the
    /// step first waits, so a RECEIPT sent after this promises that every later publish reaches the client. Nothing is
    /// written until <see cref="Run"/>, so the RECEIPT goes out before the first MESSAGE.
    /// </summary>
    public void Begin() => _reader.Next();

    /// <summary>Starts writing MESSAGE frames.</summary>
    public void Run() => _pump = PumpAsync();

    /// <summary>What the client knew the topic's epoch as when it subscribed, or what the store says it is.</summary>
    public void KnowEpoch(string topic, string? epoch)
    {
        if (epoch is not null) _epochs[topic] = epoch;
    }

    private async Task PumpAsync()
    {
        try
        {
            while (true)
            {
                if (!await _reader.Next().ConfigureAwait(false)) break;
                var item = _reader.Take();
                if (item.Message is { } m)
                {
                    var epoch = await EpochAsync(m.Topic).ConfigureAwait(false);
                    var headers = StompMessages.Headers(m, Id, epoch, _session.Escapes);
                    if (!await _session.Out.SendAsync(StompCommand.Message, headers, m.Body, _reader.Token).ConfigureAwait(false)) return;
                    continue;
                }
                switch (item.Notice)
                {
                    case LiveNotice.EpochChanged:
                        // The topic was created again (or is gone): offsets start over, and MESSAGE frames say so.
                        _epochs.Clear();
                        if (item.Epoch is { } fresh && Topic is { } topic) _epochs[topic] = fresh;
                        break;
                    case LiveNotice.Overflow:
                        await _session.FailAsync($"subscription {Id} to {StompDestination.Show(Destination)} fell too far behind and is cut off: " +
                                                 $"subscribe again with offset:{item.From + 1} to catch up from history", "fell behind").ConfigureAwait(false);
                        return;
                    case LiveNotice.Stopping:
                        await _session.FailAsync($"the server is stopping: subscribe again (here later, or on another server) with offset:{item.From + 1} " +
                                                 $"for subscription {Id}", "the server is stopping").ConfigureAwait(false);
                        return;
                }
            }
            if (!_reader.Token.IsCancellationRequested)
                await _session.FailAsync($"subscription {Id} to {StompDestination.Show(Destination)} ended: the topic's history was lost " +
                                         "(it was deleted or created again); subscribe again with offset:first", "topic history lost").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_reader.Token.IsCancellationRequested)
        {
            // Unsubscribed, or the connection closed.
        }
        catch (Core.GantryException e)
        {
            await _session.FailAsync(e.Message.ReplaceLineEndings(" "), "subscription refused").ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException)
        {
            // The connection's output went away under the pump; the session closes it.
        }
        catch (Exception e)
        {
            // A fault of the server's (the store failed reading history, say): the client is told, and subscribes again.
            // The client gets words, the log gets the server's reason.
            await _session.FailAsync($"subscription {Id} to {StompDestination.Show(Destination)} failed on the server; subscribe again",
                $"subscription failed: {e.Message}").ConfigureAwait(false);
        }
    }

    private async ValueTask<string?> EpochAsync(string topic)
    {
        if (_epochs.TryGetValue(topic, out var known)) return known;
        var info = await _engine.GetAsync(topic, _reader.Token).ConfigureAwait(false);
        if (info is null) return null;
        if (_epochs.Count >= MaxRememberedEpochs) _epochs.Clear();
        _epochs[topic] = info.Epoch;
        return info.Epoch;
    }

    /// <summary>Ends the stream (its own token first), lets the pump finish, then disposes the stream.</summary>
    public async ValueTask DisposeAsync()
    {
        await _reader.CancelAsync().ConfigureAwait(false);
        try { await _pump.ConfigureAwait(false); }
        catch (Exception) { /* the pump reports its own failures; here it only has to be over */ }
        await _reader.DisposeAsync().ConfigureAwait(false);
    }
}
