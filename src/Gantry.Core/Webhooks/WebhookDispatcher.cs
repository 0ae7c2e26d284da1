using System.Collections.Concurrent;
using Gantry.Core.Engine;
using Gantry.Core.Options;
using Gantry.Core.Storage;
using Gantry.Core.Topics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Webhooks;

/// <summary>
/// Keeps one <see cref="WebhookRunner"/> per stored webhook on this server: starts them at start-up, restarts one whose
/// settings changed (told at once by <see cref="WebhookEngine.Changed"/> on this server, found by the rescan every
/// <c>Gantry:Webhooks:RescanInterval</c> for changes made on another), and tells runners of pattern webhooks about
/// topics as they are published to (<see cref="TopicSignals.Observe"/>), so no loop polls for messages.
/// </summary>
public sealed class WebhookDispatcher : BackgroundService
{
    /// <summary>1 second between tries after an unexpected fault (the store unreachable): short enough to resume promptly,
    /// long enough not to flood the log.</summary>
    public static readonly TimeSpan FaultPause = TimeSpan.FromSeconds(1);

    private readonly Parts _parts;
    private readonly WebhookEngine _webhooks;
    private readonly ConcurrentDictionary<string, WebhookRunner> _runners = new(StringComparer.Ordinal);
    private readonly AsyncPulse _changed = new();

    public WebhookDispatcher(IStore store, TopicLog topics, JobEngine jobs, JobSignals signals, WebhookEngine webhooks, WebhookDelivery delivery, IOptions<GantryEngineOptions> options,
        TimeProvider time, ILogger<WebhookDispatcher> log)
    {
        _webhooks = webhooks;
        _parts = new Parts(store.Webhooks, topics, jobs, signals.Topics, delivery, options.Value.Webhooks, time, log);
    }

    /// <summary>What every runner works with.</summary>
    internal sealed record Parts(IWebhookStore Store, ITopicStore Topics, JobEngine Jobs, TopicSignals Signals, WebhookDelivery Delivery,
        WebhookOptions Options, TimeProvider Time, ILogger Log);

    /// <summary>Webhooks running on this server, by name (for tests and diagnostics).</summary>
    public IReadOnlyCollection<string> Running => _runners.Keys.ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _webhooks.Changed += _ => _changed.Pulse();
        _parts.Signals.Observe(OnAppend);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var changed = _changed.Next;
                try
                {
                    await ReconcileAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    _parts.Log.LogWarning(e, "Webhooks: reading the webhooks failed; trying again in {Seconds} s", _parts.Options.RescanInterval.TotalSeconds);
                }
                await Task.WhenAny(changed, Task.Delay(_parts.Options.RescanInterval, _parts.Time, stoppingToken)).ConfigureAwait(false);
            }
        }
        finally
        {
            await Task.WhenAll(_runners.Values.Select(r => r.StopAsync())).ConfigureAwait(false);
            _runners.Clear();
        }
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        var stored = (await _parts.Store.WebhookList(ct).ConfigureAwait(false)).ToDictionary(w => w.Name, StringComparer.Ordinal);
        foreach (var (name, runner) in _runners)
        {
            if (stored.TryGetValue(name, out var w) && SameSettings(w, runner.Webhook)) continue;
            _runners.TryRemove(name, out _);
            await runner.StopAsync().ConfigureAwait(false);
        }
        foreach (var (name, webhook) in stored)
        {
            if (_runners.ContainsKey(name)) continue;
            var runner = new WebhookRunner(webhook, _parts);
            _runners[name] = runner;
            await runner.StartAsync(ct).ConfigureAwait(false);
        }
    }

    private static bool SameSettings(Webhook a, Webhook b) =>
        a.Topic == b.Topic && a.Url == b.Url && a.Secret == b.Secret && a.Epoch == b.Epoch;

    /// <summary>On the announcing thread: only hands the topic to the runners (a dictionary look-up each).</summary>
    private void OnAppend(TopicAppend append)
    {
        if (append.Topic.Length == 0)
        {
            _changed.Pulse(); // notifications may have been lost: look at the store again
            return;
        }
        foreach (var runner in _runners.Values) runner.TopicSeen(append.Topic);
    }
}
