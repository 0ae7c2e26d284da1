namespace Gantry.Protocol.Gearman;

/// <summary>The three priorities a submission names, in the order a job server hands jobs out.</summary>
public enum GearmanSubmitPriority : byte
{
    High = 0,
    Normal = 1,
    Low = 2,
}

/// <summary>
/// What a SUBMIT_JOB* packet asks for, read by the layout of its type (from the PROTOCOL document): every type carries
/// the function and the unique id first and the payload last; SUBMIT_JOB_EPOCH puts the run time (Unix seconds, as
/// text) third; SUBMIT_JOB_SCHED puts five schedule fields (minute, hour, day of month, month, day of week) third to
/// seventh; SUBMIT_REDUCE_JOB(_BACKGROUND) puts the reducer third and an aggregator fourth. The fields are slices of
/// the packet's body, as sent; what they mean (a valid time, a schedule) is for the job server to decide.
/// </summary>
public readonly struct GearmanSubmit
{
    private readonly GearmanPacket _packet;

    private GearmanSubmit(in GearmanPacket packet, GearmanSubmitPriority priority, bool background)
    {
        _packet = packet;
        Priority = priority;
        Background = background;
    }

    public GearmanPacketType Type => _packet.Type;
    public GearmanSubmitPriority Priority { get; }
    /// <summary>The client does not wait for the job (no WORK_* packets come back to it).</summary>
    public bool Background { get; }

    public ReadOnlySpan<byte> Function => _packet.Field(0);
    public ReadOnlySpan<byte> Unique => _packet.Field(1);
    /// <summary>The payload, as memory over the packet's body (an array of its own, so it may be kept).</summary>
    public ReadOnlyMemory<byte> Payload => _packet.FieldMemory(_packet.FieldCount - 1);

    /// <summary>SUBMIT_JOB_EPOCH's run time in Unix seconds as sent (text); empty for other types.</summary>
    public ReadOnlySpan<byte> Epoch => Type == GearmanPacketType.SubmitJobEpoch ? _packet.Field(2) : [];

    /// <summary>SUBMIT_JOB_SCHED's field <paramref name="index"/> (0 minute, 1 hour, 2 day of month, 3 month, 4 day of
    /// week) as sent; empty for other types.</summary>
    public ReadOnlySpan<byte> Schedule(int index)
    {
        if ((uint)index > 4) throw new ArgumentOutOfRangeException(nameof(index), index, "a schedule has five fields, 0 to 4");
        return Type == GearmanPacketType.SubmitJobSched ? _packet.Field(2 + index) : [];
    }

    public bool IsReduce => Type is GearmanPacketType.SubmitReduceJob or GearmanPacketType.SubmitReduceJobBackground;

    /// <summary>The reducer of a SUBMIT_REDUCE_JOB(_BACKGROUND); empty for other types.</summary>
    public ReadOnlySpan<byte> Reducer => IsReduce ? _packet.Field(2) : [];

    /// <summary>Whether <paramref name="type"/> is one of the ten submissions.</summary>
    public static bool IsSubmit(GearmanPacketType type) => type is GearmanPacketType.SubmitJob or GearmanPacketType.SubmitJobBg
        or GearmanPacketType.SubmitJobHigh or GearmanPacketType.SubmitJobHighBg or GearmanPacketType.SubmitJobLow
        or GearmanPacketType.SubmitJobLowBg or GearmanPacketType.SubmitJobEpoch or GearmanPacketType.SubmitJobSched
        or GearmanPacketType.SubmitReduceJob or GearmanPacketType.SubmitReduceJobBackground;

    /// <summary>Reads a submission; false for any other packet type.</summary>
    public static bool TryRead(in GearmanPacket packet, out GearmanSubmit submit)
    {
        (GearmanSubmitPriority, bool)? kind = packet.Type switch
        {
            GearmanPacketType.SubmitJob or GearmanPacketType.SubmitReduceJob => (GearmanSubmitPriority.Normal, false),
            GearmanPacketType.SubmitJobHigh => (GearmanSubmitPriority.High, false),
            GearmanPacketType.SubmitJobLow => (GearmanSubmitPriority.Low, false),
            GearmanPacketType.SubmitJobBg or GearmanPacketType.SubmitJobEpoch or GearmanPacketType.SubmitJobSched
                or GearmanPacketType.SubmitReduceJobBackground => (GearmanSubmitPriority.Normal, true),
            GearmanPacketType.SubmitJobHighBg => (GearmanSubmitPriority.High, true),
            GearmanPacketType.SubmitJobLowBg => (GearmanSubmitPriority.Low, true),
            _ => null,
        };
        if (kind is not { } k)
        {
            submit = default;
            return false;
        }
        submit = new GearmanSubmit(packet, k.Item1, k.Item2);
        return true;
    }
}
