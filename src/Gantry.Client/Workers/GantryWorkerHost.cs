using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Client.Workers;

/// <summary>The hosted service behind <c>AddGantryWorker</c>: one <see cref="QueueWorker"/> per registered queue,
/// sharing one client, one reporter and one heartbeat loop.</summary>
internal sealed class GantryWorkerHost(IOptions<GantryWorkerOptions> options, IServiceScopeFactory scopes, ILoggerFactory loggers,
    TimeProvider? time = null) : IHostedService
{
    /// <summary>The host's clock when it registers one (a test's manual clock), else the system's.</summary>
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly GantryWorkerOptions _options = options.Value;
    private readonly ILogger _log = loggers.CreateLogger("Gantry.Worker");
    private readonly CancellationTokenSource _stopFetching = new();
    private readonly CancellationTokenSource _abortFetches = new();
    private readonly List<QueueWorker> _workers = [];
    private readonly List<GroupWorker> _groups = [];
    private GantryClient? _client;
    private LeaseReporter? _reporter;
    private LeaseHeartbeats? _heartbeats;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Queues.Count == 0 && _options.Groups.Count == 0)
            throw new InvalidOperationException(
                "AddGantryWorker() has no handlers: call AddHandler<THandler>(\"queue\") for each queue to work, AddGroupHandler<THandler>(\"topic\", \"group\") for each consumer group.");
        if (_options.RetryDelay <= TimeSpan.Zero || _options.MaxRetryDelay < _options.RetryDelay)
            throw new InvalidOperationException(
                $"RetryDelay must be more than 0 seconds and MaxRetryDelay at least RetryDelay (they are {_options.RetryDelay.TotalSeconds:0.###} s and {_options.MaxRetryDelay.TotalSeconds:0.###} s).");
        if (_options.MaxJobs is < 1)
            throw new InvalidOperationException($"MaxJobs must be at least 1 (or null for no limit); it is {_options.MaxJobs}.");
        _client = new GantryClient(_options.Client) { PayloadOptions = _options.PayloadOptions };
        _reporter = new LeaseReporter(_client, Failures("Sending job outcomes"), _time, _log);
        _heartbeats = new LeaseHeartbeats(_client, Failures("Heartbeats"), _time, _log);
        var budget = new JobBudget(_options.MaxJobs);
        foreach (var registration in _options.Queues)
        {
            var worker = new QueueWorker(registration, _client, scopes, _options, _reporter, _heartbeats, budget,
                Failures($"Fetching from queue {registration.Queue}"), _time, _log);
            _workers.Add(worker);
            worker.Start(_stopFetching.Token, _options.FinishFetchesOnStop ? _abortFetches.Token : _stopFetching.Token);
            _log.LogInformation("Working queue {Queue} with {Handler} (concurrency {Concurrency}) from {Server}",
                registration.Queue, registration.HandlerType.Name, registration.Concurrency, _client.ServerUrl);
        }
        foreach (var registration in _options.Groups)
        {
            var member = new GroupWorker(registration, _client, scopes, _options,
                Failures($"Fetching from group {registration.Group} of topic {registration.Topic}"), _time, _log);
            _groups.Add(member);
            member.Start(_stopFetching.Token, _options.FinishFetchesOnStop ? _abortFetches.Token : _stopFetching.Token);
            _log.LogInformation("Member of group {Group} of topic {Topic} with {Handler} (concurrency {Concurrency}) from {Server}",
                registration.Group, registration.Topic, registration.HandlerType.Name, registration.Concurrency, _client.ServerUrl);
        }
        return Task.CompletedTask;
    }

    private CallFailures Failures(string what) =>
        new(what, _client!.ServerUrl.ToString(), _options.RetryDelay, _options.MaxRetryDelay, _time, _log);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_client is null) return;
        _stopFetching.Cancel();
        var graceEnds = Task.Delay(_options.ShutdownGracePeriod, _time, CancellationToken.None);
        // Open long polls may finish (their jobs are then given back) until the grace period ends, no longer.
        _ = graceEnds.ContinueWith(_ => _abortFetches.Cancel(), TaskScheduler.Default);
        await Task.WhenAll(_workers.Select(w => w.DrainAsync(graceEnds)).Concat(_groups.Select(g => g.DrainAsync(graceEnds)))).ConfigureAwait(false);
        _abortFetches.Cancel();
        await _reporter!.FlushAndStopAsync().ConfigureAwait(false);
        await _heartbeats!.StopAsync().ConfigureAwait(false);
        _client.Dispose();
    }
}
