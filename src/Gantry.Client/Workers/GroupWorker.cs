using System.Collections.Concurrent;
using System.Threading.Channels;
using Gantry.Contracts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gantry.Client.Workers;

/// <summary>
/// A member of one consumer group: the fetch loop leases as many messages as there are free slots (long-polling when
/// idle), each runs its handler in its own DI scope, and outcomes are settled in batches (ack on return, nack on an
/// exception) by one settle loop, so a busy member makes one ack call per burst instead of one per message.
/// On shutdown it stops fetching, lets running handlers finish within the grace period, then cancels them and nacks
/// their messages so another member gets them at once.
/// </summary>
internal sealed class GroupWorker
{
    /// <summary>At most this many delivery ids per ack or nack call.</summary>
    private const int MaxSettleBatch = 100;
    /// <summary>How long cancelled handlers get to return at the end of the grace period before their messages are nacked.</summary>
    private static readonly TimeSpan CancelledHandlerWait = TimeSpan.FromSeconds(1);

    private readonly GroupRegistration _registration;
    private readonly GantryClient _client;
    private readonly IServiceScopeFactory _scopes;
    private readonly GantryWorkerOptions _options;
    private readonly CallFailures _failures;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly string _member;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();
    private readonly Channel<(string Id, bool Ack)> _settle = Channel.CreateUnbounded<(string, bool)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _cancelHandlers = new();
    private Task _fetchLoop = Task.CompletedTask;
    private Task _settleLoop = Task.CompletedTask;

    public GroupWorker(GroupRegistration registration, GantryClient client, IServiceScopeFactory scopes, GantryWorkerOptions options,
        CallFailures failures, TimeProvider time, ILogger log)
    {
        (_registration, _client, _scopes, _options, _failures, _time, _log) = (registration, client, scopes, options, failures, time, log);
        _member = $"{Environment.MachineName}/{Environment.ProcessId}";
        _slots = new SemaphoreSlim(registration.Concurrency, registration.Concurrency);
    }

    public void Start(CancellationToken stopFetching, CancellationToken abortFetches)
    {
        _fetchLoop = Task.Run(() => FetchLoopAsync(stopFetching, abortFetches));
        _settleLoop = Task.Run(SettleLoopAsync);
    }

    private async Task FetchLoopAsync(CancellationToken stop, CancellationToken abort)
    {
        var declared = _registration.From is null;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await _slots.WaitAsync(stop).ConfigureAwait(false);
                var free = 1;
                while (free < _registration.Concurrency && _slots.Wait(0)) free++;
                IReadOnlyList<GroupMessageView> messages;
                try
                {
                    if (!declared)
                    {
                        // Declaring is idempotent: an existing group keeps its cursor, so every start may do it.
                        await _client.SetGroupAsync(_registration.Topic, _registration.Group, _registration.From, ct: abort).ConfigureAwait(false);
                        declared = true;
                    }
                    messages = await _client.FetchGroupAsync(_registration.Topic, _registration.Group, _member, free, _options.FetchWait, abort)
                        .ConfigureAwait(false);
                    _failures.Succeeded();
                }
                catch (Exception ex)
                {
                    _slots.Release(free);
                    if (ex is OperationCanceledException && abort.IsCancellationRequested) break;
                    await Task.Delay(_failures.Failed(ex), _time, stop).ConfigureAwait(false);
                    continue;
                }
                if (free > messages.Count) _slots.Release(free - messages.Count);
                foreach (var m in messages) _ = Task.Run(() => RunAsync(m));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested || abort.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _log.LogCritical(ex, "The fetch loop of group {Group} on topic {Topic} stopped on an unexpected error", _registration.Group, _registration.Topic);
        }
    }

    private async Task RunAsync(GroupMessageView message)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(_cancelHandlers.Token);
        _running[message.DeliveryId] = cancel;
        var ack = false;
        try
        {
            var context = new MessageContext(_registration.Topic, _registration.Group, message, _options.PayloadOptions);
            await using var scope = _scopes.CreateAsyncScope();
            var handler = (IMessageHandler)scope.ServiceProvider.GetRequiredService(_registration.HandlerType);
            await handler.HandleAsync(context, cancel.Token).ConfigureAwait(false);
            ack = true;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            _log.LogInformation("Message {Offset} of group {Group} was still being handled at shutdown; it is given back",
                message.Offset, _registration.Group);
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "Message {Offset} of topic {Topic} failed in group {Group} (delivery {Attempt})",
                message.Offset, _registration.Topic, _registration.Group, message.Attempt);
        }
        finally
        {
            _running.TryRemove(message.DeliveryId, out _);
            _settle.Writer.TryWrite((message.DeliveryId, ack));
            _slots.Release();
        }
    }

    private async Task SettleLoopAsync()
    {
        var acks = new List<string>(MaxSettleBatch);
        var nacks = new List<string>(MaxSettleBatch);
        while (await _settle.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (acks.Count + nacks.Count < MaxSettleBatch && _settle.Reader.TryRead(out var item)) (item.Ack ? acks : nacks).Add(item.Id);
            await SettleAsync(acks, ack: true).ConfigureAwait(false);
            await SettleAsync(nacks, ack: false).ConfigureAwait(false);
        }
    }

    private async Task SettleAsync(List<string> ids, bool ack)
    {
        if (ids.Count == 0) return;
        // A settle that keeps failing is given up after a few tries: the lease then runs out and the message is
        // delivered again (at least once), which is what an unsettled delivery means anyway.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (ack) await _client.AckAsync(_registration.Topic, _registration.Group, ids).ConfigureAwait(false);
                else await _client.NackAsync(_registration.Topic, _registration.Group, ids).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (attempt < 3)
            {
                await Task.Delay(_failures.Failed(ex), _time).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _log.LogError(ex, "Could not {Verb} {Count} messages of group {Group}; they are delivered again when their leases run out",
                    ack ? "ack" : "nack", ids.Count, _registration.Group);
                break;
            }
        }
        ids.Clear();
    }

    /// <summary>After fetching stopped: waits for running handlers until <paramref name="graceEnds"/>, cancels the rest
    /// (their messages are nacked), and sends the last outcomes.</summary>
    public async Task DrainAsync(Task graceEnds)
    {
        await _fetchLoop.ConfigureAwait(false);
        var allFree = WaitAllSlotsAsync();
        if (await Task.WhenAny(allFree, graceEnds).ConfigureAwait(false) != allFree)
        {
            _cancelHandlers.Cancel();
            // A handler that ignores its token does not hold the stop up: its message is nacked now, and whatever it
            // reports later is refused as lost.
            await Task.WhenAny(allFree, Task.Delay(CancelledHandlerWait, _time)).ConfigureAwait(false);
            var stuck = _running.Keys.ToList();
            if (stuck.Count > 0) await SettleAsync(stuck, ack: false).ConfigureAwait(false);
        }
        _settle.Writer.TryComplete();
        await _settleLoop.ConfigureAwait(false);
    }

    private async Task WaitAllSlotsAsync()
    {
        for (var i = 0; i < _registration.Concurrency; i++) await _slots.WaitAsync().ConfigureAwait(false);
    }
}
