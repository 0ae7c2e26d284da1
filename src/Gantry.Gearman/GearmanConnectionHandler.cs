using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using Gantry.Core;
using Gantry.Core.Jobs;
using Gantry.Protocol.Gearman;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Gearman;

/// <summary>
/// One Gearman connection inside Kestrel: reads frames with the pure codec, dispatches packets to the job server,
/// and answers admin lines. Packets of one connection are handled in order; consecutive background submissions to
/// durable functions are stored in one transaction before their JOB_CREATED replies go out, in order.
/// </summary>
internal sealed class GearmanConnectionHandler(
    GearmanJobServer server, DurableLane durable, GearmanAdmin admin, GearmanReadGuard guard, IOptions<GearmanOptions> options,
    TimeProvider time, ILogger<GearmanConnectionHandler> log) : ConnectionHandler
{
    private readonly GearmanOptions _options = options.Value;
    private readonly GearmanReadLimits _limits = new() { MaxPacketBytes = options.Value.MaxPacketBytes, MaxAdminLineBytes = options.Value.MaxAdminLineBytes };
    private readonly GearmanTimeoutUnit _timeoutUnit = options.Value.TimeoutUnit;

    /// <summary>The ERROR code for a connection silent in the middle of a packet.</summary>
    internal const string TimeoutCode = "TIMEOUT";
    /// <summary>The ERROR code for a packet refused because partly received packets hold the server's limit.</summary>
    internal const string BusyCode = "SERVER_BUSY";

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var outbox = new GearmanOutbox(connection.Transport.Output, _options.MaxPendingOutputBytes);
        outbox.Broken += connection.Abort;
        var session = server.Open(GearmanSession.Describe(connection.RemoteEndPoint), outbox);
        var pending = new List<Submission>();
        var ct = connection.ConnectionClosed;
        var input = connection.Transport.Input;
        var partial = guard.Open(input);
        // Kestrel asks every connection to close when the server stops, and waits for them up to the host's shutdown
        // timeout. A Gearman worker idle in PRE_SLEEP never closes by itself, so the request ends the read: the packets
        // already received are handled, then the connection closes (its jobs are dealt with as for any close, below).
        var stopping = false;
        using var stop = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested.Register(() =>
        {
            Volatile.Write(ref stopping, true);
            input.CancelPendingRead();
        });
        try
        {
            while (true)
            {
                // Not cancelled by ConnectionClosed: a worker that sends WORK_COMPLETE and closes at once (gearman -w -c 1)
                // would have that packet dropped when the close is seen before the read is handled, which thread-pool
                // scheduling makes likely. The pipe completes when the peer closes; the bytes before it are handled first.
                // The read guard cancels the pending read of a connection silent in the middle of a packet.
                var read = await input.ReadAsync().ConfigureAwait(false);
                var buffer = read.Buffer;
                var close = false;
                outbox.BeginBatch();
                if (read.IsCanceled && !Volatile.Read(ref stopping) && guard.TimedOut(partial, buffer.Length))
                {
                    log.LogInformation("Gearman connection {Host} sent {Bytes} bytes of a packet and then nothing for {Seconds:0.#} s; closing it " +
                        "(Gantry:Gearman:PartialPacketTimeout)", session.Host, buffer.Length, guard.Silence(partial).TotalSeconds);
                    outbox.SendError(TimeoutCode, $"the server waited {guard.Timeout.TotalSeconds:0.###} s for the rest of a packet ({buffer.Length} " +
                        "bytes of it arrived) and closes the connection (Gantry:Gearman:PartialPacketTimeout)");
                    close = true;
                }
                while (!close)
                {
                    var status = GearmanReader.TryRead(ref buffer, _limits, out var packet, out var line, out var error);
                    if (status == GearmanReadStatus.Incomplete) break;
                    if (status != GearmanReadStatus.Packet || !IsDurableBackgroundSubmit(session, packet))
                        await StorePendingAsync(session, pending, ct).ConfigureAwait(false);
                    switch (status)
                    {
                        case GearmanReadStatus.Error:
                            log.LogInformation("Gearman connection {Host} sent bad input ({Code}: {Message}); closing it",
                                session.Host, error.Code, error.Message);
                            outbox.SendError(error.Code, error.Message);
                            close = true;
                            break;
                        case GearmanReadStatus.AdminLine:
                            await admin.HandleAsync(session, line!, ct).ConfigureAwait(false);
                            break;
                        default:
                            ValueTask<bool> handled;
                            using (DeferredFlushes.Begin()) handled = HandleAsync(session, packet, pending, ct);
                            close = !await handled.ConfigureAwait(false);
                            break;
                    }
                }
                await StorePendingAsync(session, pending, ct).ConfigureAwait(false);
                if (!close && !guard.Held(partial, buffer.Length))
                {
                    log.LogInformation("Gearman connection {Host} has {Bytes} bytes of a packet waiting for the rest, which would take partly " +
                        "received packets past the limit of {Limit} bytes (Gantry:Gearman:MaxBufferedBytes); closing it", session.Host, buffer.Length, guard.MaxBytes);
                    outbox.SendError(BusyCode, $"partly received packets on all connections would hold more than {guard.MaxBytes} bytes, the server's " +
                        $"limit (Gantry:Gearman:MaxBufferedBytes), with the rest of this one ({buffer.Length} bytes arrived); try again later");
                    close = true;
                }
                outbox.EndBatch();
                input.AdvanceTo(buffer.Start, buffer.End);
                if (close)
                {
                    await outbox.DrainAsync().WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
                    break;
                }
                if (read.IsCompleted || Volatile.Read(ref stopping)) break;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConnectionResetException or IOException or TimeoutException)
        {
            // The peer went away or was too slow to read; its jobs are dealt with below.
        }
        finally
        {
            guard.Close(partial);
            server.Close(session);
            outbox.Close();
        }
    }

    private bool IsDurableBackgroundSubmit(GearmanSession session, in GearmanPacket packet) =>
        GearmanSubmit.TryRead(packet, out var submit) && submit.Background &&
        submit.Function.Length is > 0 and var n && n <= _options.MaxFunctionNameBytes && server.IsDurable(session.FunctionName(submit.Function));

    /// <summary>Handles one packet; false when the connection must close after the ERROR just sent.</summary>
    private async ValueTask<bool> HandleAsync(GearmanSession session, GearmanPacket packet, List<Submission> pending, CancellationToken ct)
    {
        if (packet.Magic != GearmanMagic.Request)
        {
            session.Out.SendError("INVALID_MAGIC", "a client or worker sends \\0REQ packets; \\0RES is what the server sends");
            return false;
        }
        switch (packet.Type)
        {
            case var type when GearmanSubmit.IsSubmit(type):
                return Submit(session, packet, pending);

            case GearmanPacketType.CanDo:
            case GearmanPacketType.CanDoTimeout:
            {
                if (!ValidFunction(session, packet.Field(0), out var name)) return false;
                var timeout = packet.Type == GearmanPacketType.CanDoTimeout ? GearmanCanDoTimeout.Read(packet.Field(1), _timeoutUnit) : TimeSpan.Zero;
                if (server.CanDo(session, name, timeout) is { } refused) session.Out.SendError(refused.Code, refused.Message);
                return true;
            }
            case GearmanPacketType.CantDo:
                server.CantDo(session, packet.FieldString(0));
                return true;
            case GearmanPacketType.ResetAbilities:
                server.ResetAbilities(session);
                return true;
            case GearmanPacketType.PreSleep:
                server.PreSleep(session);
                return true;
            case GearmanPacketType.GrabJob:
                await GrabAsync(session, GrabKind.Plain, ct).ConfigureAwait(false);
                return true;
            case GearmanPacketType.GrabJobUniq:
                await GrabAsync(session, GrabKind.Unique, ct).ConfigureAwait(false);
                return true;
            case GearmanPacketType.GrabJobAll:
                await GrabAsync(session, GrabKind.All, ct).ConfigureAwait(false);
                return true;

            case GearmanPacketType.WorkStatus or GearmanPacketType.WorkData or GearmanPacketType.WorkWarning or GearmanPacketType.WorkException:
                server.WorkUpdate(session, packet);
                return true;
            case GearmanPacketType.WorkComplete:
                server.WorkComplete(session, packet);
                return true;
            case GearmanPacketType.WorkFail:
                server.WorkFail(session, packet.Field(0));
                return true;

            case GearmanPacketType.GetStatus:
                await StatusAsync(session, packet.FieldMemory(0), ct).ConfigureAwait(false);
                return true;
            case GearmanPacketType.GetStatusUnique:
            {
                var p = server.ProgressByUnique(packet.Field(0));
                session.Out.Send(GearmanPacketType.StatusResUnique, packet.Field(0), Flag(p.Known), Flag(p.Running), p.Numerator, p.Denominator,
                    Number(p.Clients));
                return true;
            }
            case GearmanPacketType.OptionReq:
                if (packet.Field(0).SequenceEqual("exceptions"u8))
                {
                    session.Exceptions = true;
                    session.Out.Send(GearmanPacketType.OptionRes, "exceptions"u8);
                }
                else
                {
                    session.Out.SendError("UNKNOWN_OPTION", $"the server knows the option 'exceptions' only (got '{Printable(packet.Field(0))}')");
                }
                return true;
            case GearmanPacketType.EchoReq:
                session.Out.Send(GearmanPacketType.EchoRes, packet.Body.Span);
                return true;
            case GearmanPacketType.SetClientId:
                session.ClientId = ClientId(packet.Field(0));
                return true;
            case GearmanPacketType.AllYours:
                return true; // a hint gearmand never acted on either
            default:
                session.Out.SendError("INVALID_COMMAND", $"{GearmanPacketTypes.Name(packet.Type)} is a packet the server sends, not one it accepts");
                return true;
        }
    }

    private bool Submit(GearmanSession session, in GearmanPacket packet, List<Submission> pending)
    {
        GearmanSubmit.TryRead(packet, out var submit);
        if (!ValidFunction(session, submit.Function, out var function)) return submit.Function.Length <= _options.MaxFunctionNameBytes;
        var unique = submit.Unique;
        if (unique.Length > _options.MaxUniqueBytes)
        {
            session.Out.SendError("INVALID_UNIQUE", $"the unique id is {unique.Length} bytes; the limit is {_options.MaxUniqueBytes} (Gantry:Gearman:MaxUniqueBytes)");
            return false;
        }
        DateTimeOffset? runAt = null;
        if (submit.Type == GearmanPacketType.SubmitJobEpoch)
        {
            if (!Utf8Parser.TryParse(submit.Epoch, out long epoch, out var used) || used != submit.Epoch.Length || epoch < 0 ||
                epoch > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            {
                session.Out.SendError("INVALID_EPOCH", $"the epoch time must be whole seconds since 1970 (got '{Printable(submit.Epoch)}')");
                return true;
            }
            runAt = DateTimeOffset.FromUnixTimeSeconds(epoch);
        }
        else if (submit.Type == GearmanPacketType.SubmitJobSched)
        {
            static string Text(ReadOnlySpan<byte> field) => System.Text.Encoding.UTF8.GetString(field);
            if (!GearmanSchedule.TryNext(time.GetUtcNow(), Text(submit.Schedule(0)), Text(submit.Schedule(1)), Text(submit.Schedule(2)),
                    Text(submit.Schedule(3)), Text(submit.Schedule(4)), out var next, out var why))
            {
                session.Out.SendError("INVALID_SCHEDULE", why);
                return true;
            }
            runAt = next;
        }
        var (priority, background, payload) = (submit.Priority, submit.Background, submit.Payload);
        var reducer = submit.IsReduce ? submit.Reducer.ToArray() : null;
        var submission = new Submission(function, unique.ToArray(), payload, priority, background, runAt, reducer);
        if (background && server.IsDurable(function))
        {
            pending.Add(submission);
            return true;
        }
        if (server.Submit(session, submission) is { } refused) session.Out.SendError(refused.Code, refused.Message);
        return true;
    }

    /// <summary>Stores the connection's queued durable submissions in one transaction, then answers each in order.</summary>
    private async Task StorePendingAsync(GearmanSession session, List<Submission> pending, CancellationToken ct)
    {
        if (pending.Count == 0) return;
        var requests = pending.Select(s => durable.Request(s, _options.For(s.Function))).ToList();
        try
        {
            var results = await durable.EnqueueAsync(requests, ct).ConfigureAwait(false);
            foreach (var r in results) session.Out.Send(GearmanPacketType.JobCreated, server.Handle(r.Id, durable: true));
        }
        catch (GantryException) when (requests.Count > 1)
        {
            // One bad job (too large, say) fails the whole transaction: store them one by one so only it is refused.
            foreach (var request in requests) await StoreOneAsync(session, request, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            foreach (var _ in requests) session.Out.SendError("QUEUE_ERROR", Refusal(ex));
        }
        finally
        {
            pending.Clear();
        }
    }

    private async Task StoreOneAsync(GearmanSession session, EnqueueRequest request, CancellationToken ct)
    {
        try
        {
            var results = await durable.EnqueueAsync([request], ct).ConfigureAwait(false);
            session.Out.Send(GearmanPacketType.JobCreated, server.Handle(results[0].Id, durable: true));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            session.Out.SendError("QUEUE_ERROR", Refusal(ex));
        }
    }

    private string Refusal(Exception ex)
    {
        if (ex is GantryException or Core.Storage.StoreUnavailableException) return ex.Message;
        log.LogError(ex, "Storing a durable Gearman job failed");
        return "the job could not be stored: " + ex.Message;
    }

    private async Task GrabAsync(GearmanSession session, GrabKind kind, CancellationToken ct)
    {
        if (server.Grab(session, kind)) return;
        foreach (var function in server.DurableAbilities(session))
        {
            IReadOnlyList<LeasedJob> leased;
            try
            {
                leased = await durable.LeaseAsync(function, function.Workers.Count, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.LogWarning(ex, "Leasing durable jobs of {Function} for a Gearman worker failed", function.Name);
                continue;
            }
            if (leased.Count == 0) continue;
            server.AssignDurable(session, function, leased, kind);
            return; // assigned, or this worker left and the jobs wait for the others
        }
        session.Out.Send(GearmanPacketType.NoJob);
    }

    private async Task StatusAsync(GearmanSession session, ReadOnlyMemory<byte> handle, CancellationToken ct)
    {
        var progress = server.Progress(handle.Span, out var isDurable, out var id);
        if (progress is null && isDurable)
        {
            Job? job = null;
            try { job = await durable.GetAsync(id, ct).ConfigureAwait(false); }
            catch (Exception ex) when (ex is not OperationCanceledException) { log.LogWarning(ex, "Reading durable job {Id} for GET_STATUS failed", id); }
            var live = job is not null && !job.State.IsFinished();
            progress = new JobProgress(live, job?.State == JobState.Running, GearmanJob.Zero, GearmanJob.Zero, 0);
        }
        var p = progress!.Value;
        session.Out.Send(GearmanPacketType.StatusRes, handle.Span, Flag(p.Known), Flag(p.Running), p.Numerator, p.Denominator);
    }

    private bool ValidFunction(GearmanSession session, ReadOnlySpan<byte> name, out string function)
    {
        function = "";
        if (name.Length > _options.MaxFunctionNameBytes)
        {
            session.Out.SendError("INVALID_FUNCTION_NAME",
                $"the function name is {name.Length} bytes; the limit is {_options.MaxFunctionNameBytes} (Gantry:Gearman:MaxFunctionNameBytes)");
            return false;
        }
        if (name.IsEmpty)
        {
            session.Out.SendError("INVALID_FUNCTION_NAME", "the function name is empty");
            return false;
        }
        function = session.FunctionName(name);
        return true;
    }

    private static ReadOnlySpan<byte> Flag(bool value) => value ? "1"u8 : "0"u8;

    private static byte[] Number(int value) => System.Text.Encoding.ASCII.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string ClientId(ReadOnlySpan<byte> raw)
    {
        var text = Printable(raw.Length > 64 ? raw[..64] : raw).Replace(' ', '_');
        return text.Length == 0 ? "-" : text;
    }

    /// <summary>Bytes from the wire made safe to put in a message or an admin listing.</summary>
    internal static string Printable(ReadOnlySpan<byte> raw)
    {
        var text = System.Text.Encoding.UTF8.GetString(raw.Length > 200 ? raw[..200] : raw);
        return string.Create(text.Length, text, static (span, t) =>
        {
            for (var i = 0; i < t.Length; i++) span[i] = char.IsControl(t[i]) ? '?' : t[i];
        });
    }
}
