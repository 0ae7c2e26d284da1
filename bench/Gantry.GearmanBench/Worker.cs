using Gantry.Gearman.Client;
using Gantry.Protocol.Gearman;

namespace Gantry.GearmanBench;

/// <summary>
/// One worker connection doing what libgearman and the Perl/Python/Go workers do: CAN_DO once, then a grab;
/// an assignment → WORK_COMPLETE at once (the job's tag as a tiny result) and grab again; NO_JOB → PRE_SLEEP and wait
/// for NOOP before grabbing again. One job at a time; the completion and the next grab go out in the same send.
/// The grab is GRAB_JOB_UNIQ by default (answered with JOB_ASSIGN_UNIQ); <c>--grab all</c> sends GRAB_JOB_ALL as
/// libgearman 1.1 does (answered with JOB_ASSIGN_UNIQ by gearmand, or JOB_ASSIGN_ALL), <c>--grab plain</c> the original
/// GRAB_JOB (answered with JOB_ASSIGN, which carries no unique id).
/// </summary>
internal sealed class Worker(GearmanConnection connection, string name, BenchOptions options, byte[] function, Func<byte, Phase?> phaseOf)
{
    private readonly GearmanPacketType _grab = options.Grab;
    private bool _sleeping;
    private long _assigned;
    private long _sleeps;

    public long Assigned => Interlocked.Read(ref _assigned);

    /// <summary>How many times the worker was told NO_JOB and went to sleep: high counts mean idle workers.</summary>
    public long Sleeps => Interlocked.Read(ref _sleeps);

    /// <summary>Runs on its own thread until the connection is closed.</summary>
    public void Run()
    {
        connection.Write(GearmanPacketType.CanDo, function);
        connection.Write(_grab);
        connection.Send(name);
        connection.ReadLoop(name, OnPacket, () =>
        {
            if (connection.HasUnsent) connection.Send(name);
        });
    }

    private bool Answers(GearmanPacketType assign) => (_grab, assign) switch
    {
        (GearmanPacketType.GrabJobUniq, GearmanPacketType.JobAssignUniq) => true,
        (GearmanPacketType.GrabJobAll, GearmanPacketType.JobAssignUniq or GearmanPacketType.JobAssignAll) => true,
        (GearmanPacketType.GrabJob, GearmanPacketType.JobAssign) => true,
        _ => false,
    };

    private void OnPacket(GearmanPacket packet)
    {
        switch (packet.Type)
        {
            case GearmanPacketType.JobAssign or GearmanPacketType.JobAssignUniq or GearmanPacketType.JobAssignAll:
            {
                var type = GearmanPacketTypes.Name(packet.Type);
                if (!Answers(packet.Type))
                    throw new BenchFailure($"{name}: {type} in answer to {GearmanPacketTypes.Name(_grab)}");
                if (_sleeping) throw new BenchFailure($"{name}: {type} while asleep (no grab outstanding)");
                var handle = packet.Field(0);
                if (!packet.Field(1).SequenceEqual(function))
                    throw new BenchFailure($"{name}: assigned a job of function '{packet.FieldString(1)}', registered only '{options.Function}'");
                var data = packet.Field(packet.FieldCount - 1);
                if (!JobTag.TryRead(data, out var tag, out var seq) || phaseOf(tag) is not { } phase || seq >= phase.Jobs)
                    throw new BenchFailure($"{name}: job {packet.FieldString(0)} has a payload this run did not send ({data.Length} bytes)");
                if (data.Length != options.PayloadBytes)
                    throw new BenchFailure($"{name}: job {packet.FieldString(0)} arrived with {data.Length} payload bytes, sent {options.PayloadBytes}");
                if (options.UniqueIds && packet.Type != GearmanPacketType.JobAssign && !packet.Field(2).SequenceEqual(data[..JobTag.Length]))
                    throw new BenchFailure($"{name}: job {packet.FieldString(0)} arrived with unique id '{packet.FieldString(2)}', " +
                                           $"sent '{System.Text.Encoding.ASCII.GetString(data[..JobTag.Length])}'");
                if (!phase.Deliver(seq))
                    throw new BenchFailure($"{name}: {phase.Name} job #{seq} assigned a second time (now as {packet.FieldString(0)}): " +
                                           "no worker failed, so each job must reach exactly one worker once");

                connection.Write(GearmanPacketType.WorkComplete, handle, data[..JobTag.Length]);
                if (options.Mode == Mode.Background) phase.Complete(seq);
                connection.Write(_grab);
                Interlocked.Increment(ref _assigned);
                break;
            }
            case GearmanPacketType.NoJob:
                if (_sleeping) throw new BenchFailure($"{name}: NO_JOB while asleep (no grab outstanding)");
                connection.Write(GearmanPacketType.PreSleep);
                _sleeping = true;
                Interlocked.Increment(ref _sleeps);
                break;
            case GearmanPacketType.Noop:
                // A wake-up. One that arrives while a grab is outstanding (the server woke every sleeper) is ignored.
                if (!_sleeping) break;
                _sleeping = false;
                connection.Write(_grab);
                break;
            default:
                throw new BenchFailure($"{name}: unexpected {PacketText.Describe(packet)}");
        }
    }
}
