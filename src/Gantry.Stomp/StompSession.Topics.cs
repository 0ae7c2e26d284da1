using Gantry.Core.Topics;
using Gantry.Protocol.Stomp;

namespace Gantry.Stomp;

/// <summary>SEND, SUBSCRIBE and UNSUBSCRIBE on <c>/topic/</c> destinations.</summary>
internal sealed partial class StompSession
{
    /// <summary>The start positions a pattern subscription takes: it follows topics from now on, as SSE's patterns do.</summary>
    private static readonly HashSet<string> LiveOnly = new(StringComparer.OrdinalIgnoreCase) { "last", "next", "latest", "new" };

    private async ValueTask PublishAsync(StompFrame send)
    {
        if (send[StompHeaderNames.Transaction] is not null)
            throw new StompSessionException("transactions are not supported yet: send without a transaction header");
        var topic = StompDestination.Topic(send[StompHeaderNames.Destination], allowPattern: false).Text;
        // The RECEIPT waits for the commit: a client that has it may tell anyone the message is there.
        await _engine.PublishAsync(topic, [StompMessages.Draft(send)], _lifetime.Token).ConfigureAwait(false);
        await ReceiptAsync(send).ConfigureAwait(false);
    }

    private async ValueTask SubscribeAsync(StompFrame subscribe)
    {
        var destination = subscribe[StompHeaderNames.Destination];
        // 1.0 made the id optional; the destination then names the subscription, as 1.0 brokers do.
        var id = subscribe[StompHeaderNames.Id] ?? (Escapes ? null : destination)
                 ?? throw new StompSessionException("SUBSCRIBE needs an id header: MESSAGE frames name it, UNSUBSCRIBE takes it");
        if (_subscriptions.ContainsKey(id))
            throw new StompSessionException($"subscription id '{id}' is already in use on this connection: give each SUBSCRIBE its own id");
        if (_subscriptions.Count >= _options.MaxSubscriptions)
            throw new StompSessionException($"this connection has {_subscriptions.Count} subscriptions, the limit (Gantry:Stomp:MaxSubscriptions)");
        if (subscribe[StompHeaderNames.Ack] is { } ack && ack != "auto")
            throw new StompSessionException($"ack:{ack} is not supported yet: subscriptions are ack:auto");
        var pattern = StompDestination.Topic(destination, allowPattern: true);
        var offset = subscribe[StompMessages.OffsetHeader];
        var info = new SubscriberInfo("stomp", _login, _time.GetUtcNow(), pattern.Text);
        void CutOff() => _ = AbortAfterGraceAsync();

        StompSubscription subscription;
        if (pattern.IsExact)
        {
            var topic = pattern.Text;
            var start = offset is { Length: > 0 } ? StartPosition.Parse(offset, "offset") : StartPosition.Last;
            // Resolved before the RECEIPT: whatever is published after it has a later offset, and the stream reads
            // from history what it has not joined live for yet, so nothing published after the RECEIPT is missed.
            var after = await _engine.ResolveStartAsync(topic, start, _lifetime.Token).ConfigureAwait(false);
            var epoch = subscribe[StompMessages.EpochHeader];
            subscription = new StompSubscription(this, id, destination!, topic,
                ct => _hub.StreamAsync(topic, after, info, epoch, SlowConsumerPolicy.Disconnect, CutOff, ct), _engine, _lifetime.Token);
            subscription.KnowEpoch(topic, epoch);
        }
        else
        {
            if (offset is { Length: > 0 } && !LiveOnly.Contains(offset))
                throw new StompSessionException($"offset:{offset} on a pattern: a pattern subscription receives new messages only " +
                                                "(offset:last); subscribe to one topic to start earlier");
            subscription = new StompSubscription(this, id, destination!, null,
                ct => _hub.StreamPatternAsync(pattern, info, SlowConsumerPolicy.Disconnect, CutOff, ct), _engine, _lifetime.Token);
        }
        _subscriptions.Add(id, subscription);
        subscription.Begin();
        await ReceiptAsync(subscribe).ConfigureAwait(false);
        subscription.Run();
    }

    private async ValueTask UnsubscribeAsync(StompFrame unsubscribe)
    {
        var id = unsubscribe[StompHeaderNames.Id] ?? (Escapes ? null : unsubscribe[StompHeaderNames.Destination])
                 ?? throw new StompSessionException("UNSUBSCRIBE needs the id header of the SUBSCRIBE it ends");
        if (!_subscriptions.Remove(id, out var subscription))
            throw new StompSessionException($"no subscription '{id}' on this connection");
        await subscription.DisposeAsync().ConfigureAwait(false);
        await ReceiptAsync(unsubscribe).ConfigureAwait(false);
    }
}
