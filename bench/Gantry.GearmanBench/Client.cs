using System.Collections.Concurrent;
using Gantry.Gearman.Client;
using Gantry.Protocol.Gearman;

namespace Gantry.GearmanBench;

/// <summary>
/// One client connection keeping up to <c>--inflight</c> submissions outstanding, pipelined, the way an event-loop
/// client (libgearman's run_tasks) does it: one thread receives, and after handling what one receive brought it tops
/// the window up with new SUBMIT_JOB(_BG) packets and sends them together. Each JOB_CREATED is matched to the oldest
/// unacknowledged submission (a server answers a connection's submissions in order); in foreground mode each
/// WORK_COMPLETE is matched to its job by handle. A window slot is freed by JOB_CREATED in background mode and by
/// WORK_COMPLETE in foreground mode.
/// </summary>
internal sealed class Client(GearmanConnection connection, string name, BenchOptions options, byte[] function)
{
    private readonly Lock _sending = new(); // the phase's first fill comes from another thread than the top-ups
    private readonly ConcurrentQueue<(Phase Phase, int Seq)> _awaitingCreated = new();
    private readonly Dictionary<string, (Phase Phase, int Seq)> _running = new(); // foreground; receiver thread only
    private readonly byte[] _payload = Payload(options.PayloadBytes);
    private readonly bool _foreground = options.Mode == Mode.Foreground;
    private Phase? _phase;
    private int _inFlight;

    /// <summary>Runs on its own thread until the connection is closed.</summary>
    public void Receive() => connection.ReadLoop(name, OnPacket, TopUp);

    /// <summary>Starts submitting the jobs of <paramref name="phase"/>, shared with the other clients, by filling the window.</summary>
    public void Start(Phase phase)
    {
        lock (_sending)
        {
            _phase = phase;
        }
        TopUp();
    }

    private void TopUp()
    {
        lock (_sending)
        {
            if (_phase is not { } phase) return;
            var type = _foreground ? GearmanPacketType.SubmitJob : GearmanPacketType.SubmitJobBg;
            while (Volatile.Read(ref _inFlight) < options.InFlight)
            {
                var seq = phase.Take();
                if (seq < 0)
                {
                    _phase = null;
                    break;
                }
                JobTag.Write(_payload, phase.Tag, seq);
                Interlocked.Increment(ref _inFlight);
                _awaitingCreated.Enqueue((phase, seq));
                phase.Submitted[seq] = System.Diagnostics.Stopwatch.GetTimestamp();
                var unique = options.UniqueIds ? _payload.AsSpan(0, JobTag.Length) : ReadOnlySpan<byte>.Empty;
                connection.Write(type, function, unique, _payload);
            }
            if (connection.HasUnsent) connection.Send(name);
        }
    }

    private void OnPacket(GearmanPacket packet)
    {
        switch (packet.Type)
        {
            case GearmanPacketType.JobCreated:
            {
                if (!_awaitingCreated.TryDequeue(out var job))
                    throw new BenchFailure($"{name}: JOB_CREATED ({packet.FieldString(0)}) with no submission waiting for one");
                if (_foreground && !_running.TryAdd(packet.FieldString(0), job))
                    throw new BenchFailure($"{name}: JOB_CREATED repeats the handle {packet.FieldString(0)} of a job still running");
                job.Phase.Acknowledge(job.Seq);
                if (!_foreground) Interlocked.Decrement(ref _inFlight);
                break;
            }
            case GearmanPacketType.WorkComplete when _foreground:
            {
                var handle = packet.FieldString(0);
                if (!_running.Remove(handle, out var job))
                    throw new BenchFailure($"{name}: WORK_COMPLETE for handle {handle}, which is not a job of this connection " +
                                           "still waiting for its result (JOB_CREATED must reach the client before WORK_COMPLETE)");
                Span<byte> expected = stackalloc byte[JobTag.Length];
                JobTag.Write(expected, job.Phase.Tag, job.Seq);
                if (!packet.Field(1).SequenceEqual(expected))
                    throw new BenchFailure($"{name}: WORK_COMPLETE for {handle} carries the result " +
                                           $"'{packet.FieldString(1)}', but the job sent as {job.Phase.Name} #{job.Seq} expects its own tag back");
                job.Phase.Complete(job.Seq);
                Interlocked.Decrement(ref _inFlight);
                break;
            }
            case GearmanPacketType.WorkStatus or GearmanPacketType.WorkData or GearmanPacketType.WorkWarning or GearmanPacketType.Noop:
                break; // the bench workers send none of these, but they are harmless
            default:
                throw new BenchFailure($"{name}: unexpected {PacketText.Describe(packet)}");
        }
    }

    private static byte[] Payload(int bytes)
    {
        var payload = new byte[bytes];
        payload.AsSpan().Fill((byte)'.');
        return payload;
    }
}
