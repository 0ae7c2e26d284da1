using Gantry.Protocol.Gearman;
using Xunit;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>
/// The type table, checked against an independent copy of libgearman's argument counts (plus one for a trailing
/// data field), so a typo in either shows up. The counts decide how bodies split, so one wrong number breaks a client.
/// </summary>
public sealed class PacketTypesTests
{
    public static TheoryData<int, string, int> Table => new()
    {
        { 1, "CAN_DO", 1 }, { 2, "CANT_DO", 1 }, { 3, "RESET_ABILITIES", 0 }, { 4, "PRE_SLEEP", 0 }, { 6, "NOOP", 0 },
        { 7, "SUBMIT_JOB", 3 }, { 8, "JOB_CREATED", 1 }, { 9, "GRAB_JOB", 0 }, { 10, "NO_JOB", 0 }, { 11, "JOB_ASSIGN", 3 },
        { 12, "WORK_STATUS", 3 }, { 13, "WORK_COMPLETE", 2 }, { 14, "WORK_FAIL", 1 }, { 15, "GET_STATUS", 1 },
        { 16, "ECHO_REQ", 1 }, { 17, "ECHO_RES", 1 }, { 18, "SUBMIT_JOB_BG", 3 }, { 19, "ERROR", 2 }, { 20, "STATUS_RES", 5 },
        { 21, "SUBMIT_JOB_HIGH", 3 }, { 22, "SET_CLIENT_ID", 1 }, { 23, "CAN_DO_TIMEOUT", 2 }, { 24, "ALL_YOURS", 0 },
        { 25, "WORK_EXCEPTION", 2 }, { 26, "OPTION_REQ", 1 }, { 27, "OPTION_RES", 1 }, { 28, "WORK_DATA", 2 },
        { 29, "WORK_WARNING", 2 }, { 30, "GRAB_JOB_UNIQ", 0 }, { 31, "JOB_ASSIGN_UNIQ", 4 }, { 32, "SUBMIT_JOB_HIGH_BG", 3 },
        { 33, "SUBMIT_JOB_LOW", 3 }, { 34, "SUBMIT_JOB_LOW_BG", 3 }, { 35, "SUBMIT_JOB_SCHED", 8 }, { 36, "SUBMIT_JOB_EPOCH", 4 },
        { 37, "SUBMIT_REDUCE_JOB", 5 }, { 38, "SUBMIT_REDUCE_JOB_BACKGROUND", 5 }, { 39, "GRAB_JOB_ALL", 0 },
        { 40, "JOB_ASSIGN_ALL", 5 }, { 41, "GET_STATUS_UNIQUE", 1 }, { 42, "STATUS_RES_UNIQUE", 6 },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void KnownType_HasItsProtocolNameAndFieldCount(int number, string name, int fields)
    {
        var type = (GearmanPacketType)number;

        Assert.True(GearmanPacketTypes.IsKnown(number));
        Assert.True(Enum.IsDefined(type));
        Assert.Equal(name, GearmanPacketTypes.Name(type));
        Assert.Equal(fields, GearmanPacketTypes.FieldCount(type));
        Assert.Equal(name.Replace("_", "", StringComparison.Ordinal), type.ToString().ToUpperInvariant());
    }

    [Fact]
    public void TheEnum_HasExactlyTheTableEntries() =>
        Assert.Equal(Table.Select(row => (int)row[0]), Enum.GetValues<GearmanPacketType>().Select(t => (int)t));

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(43)]
    [InlineData(255)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void UnknownNumbers_AreNotKnown_AndHaveNoFieldCount(int number)
    {
        Assert.False(GearmanPacketTypes.IsKnown(number));
        Assert.Throws<ArgumentOutOfRangeException>(() => GearmanPacketTypes.FieldCount((GearmanPacketType)number));
        Assert.Equal($"UNKNOWN({number})", GearmanPacketTypes.Name((GearmanPacketType)number));
    }

    [Fact]
    public void MaxKnownType_IsStatusResUnique() => Assert.Equal(42, GearmanPacketTypes.MaxKnownType);
}
