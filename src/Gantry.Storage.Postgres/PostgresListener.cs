using Gantry.Core.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// Holds one connection that LISTENs for the other servers' notifications and forwards them to this server's
/// <see cref="INotifier"/>. If the connection drops it reconnects, then wakes every waiter once, since
/// notifications sent meanwhile are lost.
/// </summary>
internal sealed class PostgresListener : IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly INotifier _notifier;
    private readonly TimeSpan _retryDelay;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstListen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;

    public PostgresListener(NpgsqlDataSource db, INotifier notifier, TimeSpan retryDelay, ILogger log)
    {
        (_db, _notifier, _retryDelay, _log) = (db, notifier, retryDelay, log);
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Completes once the first LISTEN is in place (or the listener gave up on its first try).</summary>
    public Task Ready => _firstListen.Task;

    private async Task RunAsync()
    {
        var reconnecting = false;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var conn = await _db.OpenConnectionAsync(_stop.Token).ConfigureAwait(false);
                conn.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand(
                                 string.Join("; ", PostgresNotifications.Channels.Select(c => "LISTEN " + c)), conn))
                {
                    await listen.ExecuteNonQueryAsync(_stop.Token).ConfigureAwait(false);
                }
                _firstListen.TrySetResult();
                if (reconnecting)
                {
                    _log.LogWarning("PostgreSQL notification listener reconnected"); // as loud as the line that said it was lost
                    _notifier.EverythingMayHaveChanged();
                }
                while (!_stop.IsCancellationRequested) await conn.WaitAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _firstListen.TrySetResult();
                // Once per outage, in one line when the database is simply gone (the store's health says the rest).
                if (!reconnecting)
                {
                    if (PostgresCalls.IsUnreachable(ex))
                        _log.LogWarning("PostgreSQL notification listener lost its connection ({Reason}); retrying every {Seconds:0.#} s",
                            PostgresCalls.Reason(ex), _retryDelay.TotalSeconds);
                    else _log.LogWarning(ex, "PostgreSQL notification listener failed; retrying every {Seconds:0.#} s", _retryDelay.TotalSeconds);
                }
                reconnecting = true;
                try { await Task.Delay(_retryDelay, _stop.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e) =>
        PostgresNotifications.Deliver(_notifier, e.Channel, e.Payload);

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stop.Cancel();
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
