using System.Collections.Concurrent;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Storage;
using Gantry.Core.Topics;
using Microsoft.Extensions.Logging;

namespace Gantry.Core.Webhooks;

/// <summary>
/// One webhook's deliveries on this server: per matching topic a dispatch loop that enqueues the next message's job only
/// once the previous one has finished (succeeded, dead or cancelled), and one worker loop that leases the webhook's jobs
/// and runs them one at a time. So a topic's messages reach the receiver in offset order, each after the one before it
/// succeeded or died. Jobs carry a unique key per message, so dispatchers on several servers (or one restarted after a
/// crash) enqueue each message once while its job lives.
/// </summary>
internal sealed class WebhookRunner
{
    private readonly WebhookDispatcher.Parts _p;
    private readonly TopicPattern _pattern;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, Task> _topicLoops = new(StringComparer.Ordinal);
    private Task _worker = Task.CompletedTask;

    public WebhookRunner(Webhook webhook, WebhookDispatcher.Parts parts)
    {
        Webhook = webhook;
        _p = parts;
        _pattern = TopicPattern.Parse(webhook.Topic);
    }

    public Webhook Webhook { get; }

    private string Queue => WebhookQueues.Of(Webhook.Name);

    /// <summary>A wait no longer than the engine allows for fetches and job waits, nor than the rescan interval.</summary>
    private TimeSpan Wait
    {
        get
        {
            var max = _p.Jobs.Options.Limits.MaxWait;
            return max < _p.Options.RescanInterval ? max : _p.Options.RescanInterval;
        }
    }

    public async Task StartAsync(CancellationToken ct)
    {
        _worker = Task.Run(WorkLoopAsync, CancellationToken.None);
        if (_pattern.IsExact)
        {
            TopicSeen(_pattern.Text);
            return;
        }
        foreach (var topic in await _p.Topics.TopicList(ct).ConfigureAwait(false)) TopicSeen(topic.Name);
    }

    /// <summary>A topic was published to (or found): starts its dispatch loop when the webhook covers it and has none.</summary>
    public void TopicSeen(string topic)
    {
        if (_stop.IsCancellationRequested || !_pattern.Matches(topic) || _topicLoops.ContainsKey(topic)) return;
        _topicLoops.GetOrAdd(topic, t => Task.Run(() => DispatchLoopAsync(t), CancellationToken.None));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll([_worker, .. _topicLoops.Values]).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private async Task DispatchLoopAsync(string topic)
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested && !_p.Jobs.IsStopping)
        {
            try
            {
                // Taken before reading, so a publish between the read and the wait is not missed.
                var published = _p.Signals.NextPublished(topic);
                var current = await _p.Store.WebhookGet(Webhook.Name, ct).ConfigureAwait(false);
                if (current is null || current.Epoch != Webhook.Epoch) return; // deleted or restarted: the dispatcher reconciles
                var cursor = current.CursorFor(topic);
                var read = await _p.Topics.TopicRead(topic, cursor?.Offset ?? 0, 1, ct).ConfigureAwait(false);
                // A cursor of another history of the topic (deleted and created again, a memory topic after a restart):
                // its offset says nothing about this one, whose offsets start at 1 again, so delivery starts at the new
                // history's first kept message: no message published to it is silently passed over.
                if (read is not null && cursor is not null && !cursor.BelongsTo(read.Epoch))
                    read = await _p.Topics.TopicRead(topic, 0, 1, ct).ConfigureAwait(false);
                if (read is null || read.Messages.Count == 0)
                {
                    await Task.WhenAny(published, Task.Delay(_p.Options.RescanInterval, _p.Time, ct)).ConfigureAwait(false);
                    continue;
                }
                var delivery = new WebhookDeliveryJob(Webhook.Name, Webhook.Epoch, topic, read.Epoch, read.Messages[0].Offset);
                var enqueued = await _p.Jobs.EnqueueAsync(new EnqueueRequest
                {
                    Queue = Queue, Payload = delivery.ToJson(), UniqueKey = delivery.UniqueKey, MaxAttempts = _p.Options.MaxAttempts,
                    Timeout = _p.Delivery.Lease, WatchFinish = true,
                }, ct).ConfigureAwait(false);
                if (!await WaitFinishedAsync(enqueued.Id, ct).ConfigureAwait(false)) return;
                // The worker moved the cursor already, unless the job ended otherwise (cancelled, or its last lease lapsed).
                await _p.Store.WebhookAdvance(Webhook.Name, Webhook.Epoch, topic, delivery.TopicEpoch, delivery.Offset, _p.Time.GetUtcNow(), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _p.Log.LogWarning(e, "Webhook {Webhook}: dispatching from topic {Topic} failed; trying again shortly", Webhook.Name, topic);
                await PauseAsync(ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits until the job is finished; false when this runner or the engine stopped first.</summary>
    private async Task<bool> WaitFinishedAsync(long id, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && !_p.Jobs.IsStopping)
        {
            var job = await _p.Jobs.WaitAsync(id, Wait, ct).ConfigureAwait(false);
            if (job is null || job.State.IsFinished()) return true;
            if (Wait == TimeSpan.Zero) await Task.Delay(_p.Options.RescanInterval, _p.Time, ct).ConfigureAwait(false);
        }
        return false;
    }

    private async Task WorkLoopAsync()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested && !_p.Jobs.IsStopping)
        {
            try
            {
                var leased = await _p.Jobs.FetchAsync(Queue, 1, Wait, ct).ConfigureAwait(false);
                if (leased.Count == 0 && Wait == TimeSpan.Zero) await Task.Delay(_p.Options.RescanInterval, _p.Time, ct).ConfigureAwait(false);
                // The POST is not cut short by a stopping runner (a saved change restarts it): it ends within its timeout.
                foreach (var job in leased) await _p.Delivery.RunAsync(job, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _p.Log.LogWarning(e, "Webhook {Webhook}: running a delivery failed; trying again shortly", Webhook.Name);
                await PauseAsync(ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>After an unexpected fault (the store unreachable, say): a second's pause, so a lasting fault does not spin.</summary>
    private async Task PauseAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(WebhookDispatcher.FaultPause, _p.Time, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
