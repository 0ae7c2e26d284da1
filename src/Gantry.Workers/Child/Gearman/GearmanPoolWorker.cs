using System.Diagnostics;
using System.Globalization;
using System.Text;
using Gantry.Client.Workers;
using Gantry.Contracts;
using Gantry.Gearman.Client;
using Gantry.Protocol.Gearman;
using Gantry.Workers.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gantry.Workers.Child.Gearman;

/// <summary>
/// A pool child's work for a pool of Gearman <c>functions</c>: <c>concurrency</c> worker connections to the Gearman port
/// (Gantry's, or any gearmand), each announcing the functions and running one job at a time through the pool's handler
/// (command, url or .NET type), the <c>gearman -w</c> way: WORK_COMPLETE with the result, or WORK_FAIL. Idle connections
/// sleep (PRE_SLEEP) until the server's NOOP. The child's job budget is reserved before each grab, so a child never takes
/// more jobs than it has left; stopping ends the grabbing, lets running jobs finish within the grace period, then closes
/// the connections (the server gives a job it handed out back to its queue when the connection goes).
/// </summary>
internal sealed class GearmanPoolWorker(ChildSpec spec, IServiceScopeFactory scopes, IJobObserver observer, ILogger<GearmanPoolWorker> log,
    TimeProvider? clock = null) : IHostedService
{
    private readonly TimeProvider _time = clock ?? TimeProvider.System;
    /// <summary>Defaults to 1 second before reconnecting after the Gearman server was unreachable or dropped the connection.</summary>
    public static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    private readonly PoolConfig _pool = spec.Pool;
    private readonly CancellationTokenSource _stopGrabbing = new();
    private readonly CancellationTokenSource _abortJobs = new();
    private int _budgetLeft = spec.Pool.MaxJobsPerChild > 0 ? spec.Pool.MaxJobsPerChild : int.MaxValue;
    private int _finished;
    private Task[] _loops = [];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var endpoint = spec.GearmanEndpoint();
        _loops = Enumerable.Range(0, _pool.Concurrency).Select(_ => Task.Run(() => RunConnectionAsync(endpoint))).ToArray();
        log.LogInformation("Working Gearman functions {Functions} at {Endpoint} (concurrency {Concurrency})",
            string.Join(", ", _pool.Functions), endpoint, _pool.Concurrency);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopGrabbing.Cancel();
        var all = Task.WhenAll(_loops);
        if (await Task.WhenAny(all, Task.Delay(spec.ShutdownGrace, _time, CancellationToken.None)).ConfigureAwait(false) != all)
        {
            _abortJobs.Cancel();
            await all.ConfigureAwait(false);
        }
    }

    private async Task RunConnectionAsync(GearmanEndpoint endpoint)
    {
        var stop = _stopGrabbing.Token;
        while (!stop.IsCancellationRequested && Volatile.Read(ref _budgetLeft) > 0)
        {
            try
            {
                await using var connection = await GearmanConnection.ConnectAsync(endpoint.Host, endpoint.Port, stop).ConfigureAwait(false);
                foreach (var function in _pool.Functions)
                    await connection.SendAsync(GearmanPacketType.CanDo, Encoding.UTF8.GetBytes(function), stop).ConfigureAwait(false);
                await WorkAsync(connection, stop).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                log.LogWarning("Gearman connection to {Endpoint} failed: {Error}; reconnecting in {Delay}", endpoint, ex.Message, ReconnectDelay);
                try { await Task.Delay(ReconnectDelay, _time, stop).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>Grab, run, report, until the budget is spent or the child stops.</summary>
    private async Task WorkAsync(GearmanConnection connection, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (Interlocked.Decrement(ref _budgetLeft) < 0)
            {
                Interlocked.Increment(ref _budgetLeft);
                return;
            }
            // One job of the budget is reserved for this grab until a job is assigned; otherwise it goes back.
            var reserved = true;
            try
            {
                await connection.SendAsync(GearmanPacketType.GrabJobUniq, stop).ConfigureAwait(false);
                var packet = await ReadSkippingNoopsAsync(connection, stop).ConfigureAwait(false);
                if (packet.Type == GearmanPacketType.NoJob)
                {
                    Interlocked.Increment(ref _budgetLeft);
                    reserved = false;
                    await connection.SendAsync(GearmanPacketType.PreSleep, stop).ConfigureAwait(false);
                    await WaitForNoopAsync(connection, stop).ConfigureAwait(false);
                    continue;
                }
                if (packet.Type != GearmanPacketType.JobAssignUniq)
                    throw new IOException($"the Gearman server answered GRAB_JOB_UNIQ with {packet.Type}");
                reserved = false;
                await RunAsync(connection, packet).ConfigureAwait(false);
            }
            finally
            {
                if (reserved) Interlocked.Increment(ref _budgetLeft);
            }
        }
    }

    private async Task RunAsync(GearmanConnection connection, GearmanPacket assignment)
    {
        var handle = assignment.Field(0).ToArray();
        var function = assignment.FieldString(1);
        var now = _time.GetUtcNow();
        var context = new JobContext(new LeasedJobView
        {
            Id = JobNumber(handle),
            Queue = function,
            Attempt = 1,
            MaxAttempts = 1,
            UniqueKey = assignment.Field(2).IsEmpty ? null : assignment.FieldString(2),
            PayloadBase64 = Convert.ToBase64String(assignment.Field(3)),
            CreatedAt = now,
            RunAt = now,
            StartedAt = now,
        });
        observer.JobStarted(context);
        var started = _time.GetTimestamp();
        JobResult result = default;
        string? error = null;
        try
        {
            // A scope per job, as the SDK's worker host gives its handlers.
            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<PoolJobHandler>();
            result = await handler.HandleAsync(context, _abortJobs.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex.Message;
            log.LogWarning("Gearman job {Handle} of {Function} failed: {Error}", Encoding.ASCII.GetString(handle), function, ex.Message);
        }
        if (error is not null && _abortJobs.IsCancellationRequested)
        {
            // Cut short by a stop past its grace period: no WORK_FAIL, so that closing the connection gives the job back
            // to the server's queue for another worker, as for any worker that goes away mid-job.
            observer.JobFinished(context, JobRunOutcome.Released, _time.GetElapsedTime(started), error);
            return;
        }
        // Reported even when stopping: the job ran, and its client is waiting for the answer.
        if (error is null) await connection.SendAsync(GearmanPacketType.WorkComplete, handle, (result.Bytes ?? ReadOnlyMemory<byte>.Empty).Span, CancellationToken.None).ConfigureAwait(false);
        else await connection.SendAsync(GearmanPacketType.WorkFail, handle, CancellationToken.None).ConfigureAwait(false);
        observer.JobFinished(context, error is null ? JobRunOutcome.Succeeded : JobRunOutcome.Failed, _time.GetElapsedTime(started), error);
        if (Interlocked.Increment(ref _finished) == _pool.MaxJobsPerChild) observer.BudgetSpent();
    }

    /// <summary>The number in a handle (<c>H:host:123</c>, or a durable <c>H:host:d123</c>), for logs and status; 0 if none.</summary>
    internal static long JobNumber(ReadOnlySpan<byte> handle)
    {
        var colon = handle.LastIndexOf((byte)':');
        var tail = colon < 0 ? handle : handle[(colon + 1)..];
        if (!tail.IsEmpty && tail[0] == (byte)'d') tail = tail[1..];
        return long.TryParse(tail, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
    }

    private static async Task<GearmanPacket> ReadSkippingNoopsAsync(GearmanConnection connection, CancellationToken ct)
    {
        while (true)
        {
            var packet = await ReadPacketAsync(connection, ct).ConfigureAwait(false);
            if (packet.Type != GearmanPacketType.Noop) return packet;
        }
    }

    private static async Task WaitForNoopAsync(GearmanConnection connection, CancellationToken ct)
    {
        while ((await ReadPacketAsync(connection, ct).ConfigureAwait(false)).Type != GearmanPacketType.Noop) { }
    }

    private static async Task<GearmanPacket> ReadPacketAsync(GearmanConnection connection, CancellationToken ct)
    {
        var frame = await connection.ReadAsync(ct).ConfigureAwait(false) ?? throw new IOException("the Gearman server closed the connection");
        return frame.Packet ?? throw new IOException($"the Gearman server sent a text line instead of a packet: '{frame.Line}'");
    }
}
