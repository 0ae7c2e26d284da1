namespace Gantry.Protocol.Gearman;

/// <summary>
/// What each packet type carries: how many NUL-separated fields its body has, and its protocol name.
/// The counts are libgearman's, not the PROTOCOL file's, where the two disagree: they are what real clients
/// send and check, and a server that follows the document instead would misread their packets.
/// </summary>
public static class GearmanPacketTypes
{
    /// <summary>The highest type number this codec knows; numbers above it are refused as unknown.</summary>
    public const int MaxKnownType = (int)GearmanPacketType.StatusResUnique;

    private const byte Unknown = byte.MaxValue;

    // Indexed by type number. A count is the fixed arguments plus one when the packet ends in an opaque data
    // field. Notable entries: SUBMIT_REDUCE_JOB(_BACKGROUND) has 5 (function, unique, reducer, an aggregator
    // field nobody uses, data) because that is what libgearman sends although the PROTOCOL file lists 4;
    // STATUS_RES_UNIQUE has 6 and starts with the unique id, not a job handle.
    private static ReadOnlySpan<byte> Counts =>
    [
        Unknown, // 0: never assigned
        1, 1, 0, 0, // 1 CAN_DO, 2 CANT_DO, 3 RESET_ABILITIES, 4 PRE_SLEEP
        Unknown, // 5: reserved, never used
        0, 3, 1, 0, 0, // 6 NOOP, 7 SUBMIT_JOB, 8 JOB_CREATED, 9 GRAB_JOB, 10 NO_JOB
        3, 3, 2, 1, 1, // 11 JOB_ASSIGN, 12 WORK_STATUS, 13 WORK_COMPLETE, 14 WORK_FAIL, 15 GET_STATUS
        1, 1, 3, 2, 5, // 16 ECHO_REQ, 17 ECHO_RES, 18 SUBMIT_JOB_BG, 19 ERROR, 20 STATUS_RES
        3, 1, 2, 0, 2, // 21 SUBMIT_JOB_HIGH, 22 SET_CLIENT_ID, 23 CAN_DO_TIMEOUT, 24 ALL_YOURS, 25 WORK_EXCEPTION
        1, 1, 2, 2, 0, // 26 OPTION_REQ, 27 OPTION_RES, 28 WORK_DATA, 29 WORK_WARNING, 30 GRAB_JOB_UNIQ
        4, 3, 3, 3, 8, // 31 JOB_ASSIGN_UNIQ, 32 SUBMIT_JOB_HIGH_BG, 33 SUBMIT_JOB_LOW, 34 SUBMIT_JOB_LOW_BG, 35 SUBMIT_JOB_SCHED
        4, 5, 5, 0, 5, // 36 SUBMIT_JOB_EPOCH, 37 SUBMIT_REDUCE_JOB, 38 SUBMIT_REDUCE_JOB_BACKGROUND, 39 GRAB_JOB_ALL, 40 JOB_ASSIGN_ALL
        1, 6, // 41 GET_STATUS_UNIQUE, 42 STATUS_RES_UNIQUE
    ];

    // Built once so that logging a packet name never allocates.
    private static readonly string[] Names =
    [
        "", "CAN_DO", "CANT_DO", "RESET_ABILITIES", "PRE_SLEEP", "", "NOOP", "SUBMIT_JOB", "JOB_CREATED", "GRAB_JOB",
        "NO_JOB", "JOB_ASSIGN", "WORK_STATUS", "WORK_COMPLETE", "WORK_FAIL", "GET_STATUS", "ECHO_REQ", "ECHO_RES",
        "SUBMIT_JOB_BG", "ERROR", "STATUS_RES", "SUBMIT_JOB_HIGH", "SET_CLIENT_ID", "CAN_DO_TIMEOUT", "ALL_YOURS",
        "WORK_EXCEPTION", "OPTION_REQ", "OPTION_RES", "WORK_DATA", "WORK_WARNING", "GRAB_JOB_UNIQ", "JOB_ASSIGN_UNIQ",
        "SUBMIT_JOB_HIGH_BG", "SUBMIT_JOB_LOW", "SUBMIT_JOB_LOW_BG", "SUBMIT_JOB_SCHED", "SUBMIT_JOB_EPOCH",
        "SUBMIT_REDUCE_JOB", "SUBMIT_REDUCE_JOB_BACKGROUND", "GRAB_JOB_ALL", "JOB_ASSIGN_ALL", "GET_STATUS_UNIQUE",
        "STATUS_RES_UNIQUE",
    ];

    /// <summary>
    /// Whether <paramref name="type"/> is a packet type this codec can frame. Takes an <see cref="int"/> because the
    /// number comes off the wire and anything, including 0, 5 and numbers past <see cref="MaxKnownType"/>, can arrive.
    /// </summary>
    public static bool IsKnown(int type) => (uint)type < (uint)Counts.Length && Counts[type] != Unknown;

    /// <summary>
    /// How many fields a packet of this type has in total. The first <c>FieldCount - 1</c> end at a NUL byte; the
    /// last one is everything after the last separator and may itself contain NULs. Zero means the body is ignored.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The type is not one of the known packet types.</exception>
    public static int FieldCount(GearmanPacketType type) =>
        IsKnown((int)type)
            ? Counts[(int)type]
            : throw new ArgumentOutOfRangeException(nameof(type), (int)type, $"{(int)type} is not a known Gearman packet type.");

    /// <summary>
    /// The protocol's name for the type (<c>"SUBMIT_JOB"</c>), as gearmand logs it, so logs and error messages read
    /// the same as the documentation. Unknown numbers get <c>"UNKNOWN(n)"</c> rather than an exception: this is
    /// called while reporting errors, where throwing would hide the original problem.
    /// </summary>
    public static string Name(GearmanPacketType type) =>
        IsKnown((int)type) ? Names[(int)type] : $"UNKNOWN({(int)type})";

    /// <summary>Field count for a type known to be valid, or 0 (for a default-constructed packet).</summary>
    internal static int FieldCountOrZero(GearmanPacketType type) => IsKnown((int)type) ? Counts[(int)type] : 0;
}
