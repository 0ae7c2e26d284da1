using Gantry.Protocol.Gearman;
using Xunit;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>The limits' defaults and their checks: a bad value fails at start, naming the setting.</summary>
public sealed class ReadLimitsTests
{
    [Fact]
    public void Defaults_Are16MiBPacketsAnd4KiBLines()
    {
        Assert.Equal(16 * 1024 * 1024, GearmanReadLimits.DefaultMaxPacketBytes);
        Assert.Equal(4096, GearmanReadLimits.DefaultMaxAdminLineBytes);
        Assert.Equal(GearmanReadLimits.DefaultMaxPacketBytes, GearmanReadLimits.Default.MaxPacketBytes);
        Assert.Equal(GearmanReadLimits.DefaultMaxAdminLineBytes, GearmanReadLimits.Default.MaxAdminLineBytes);
        Assert.Equal(GearmanReadLimits.DefaultMaxPacketBytes, new GearmanReadLimits().MaxPacketBytes);
    }

    [Fact]
    public void SettingOneLimit_KeepsTheOtherDefault()
    {
        var limits = new GearmanReadLimits { MaxPacketBytes = 10 };

        Assert.Equal((10, 4096), (limits.MaxPacketBytes, limits.MaxAdminLineBytes));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void MaxPacketBytes_OutOfRange_FailsWithTheSettingName(int value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GearmanReadLimits { MaxPacketBytes = value });

        Assert.Contains("Gantry:Gearman:MaxPacketBytes", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(int.MaxValue)]
    public void MaxAdminLineBytes_OutOfRange_FailsWithTheSettingName(int value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new GearmanReadLimits { MaxAdminLineBytes = value });

        Assert.Contains("Gantry:Gearman:MaxAdminLineBytes", error.Message);
    }

    [Fact]
    public void ZeroPacketBytes_AllowsOnlyEmptyBodies()
    {
        var limits = new GearmanReadLimits { MaxPacketBytes = 0 };
        var empty = new System.Buffers.ReadOnlySequence<byte>(GearmanWriter.ToArray(GearmanMagic.Request, GearmanPacketType.GrabJob));
        var one = new System.Buffers.ReadOnlySequence<byte>(GearmanWriter.ToArray(GearmanMagic.Request, GearmanPacketType.EchoReq, [1]));

        Assert.Equal(GearmanReadStatus.Packet, GearmanReader.TryRead(ref empty, limits, out _, out _, out _));
        Assert.Equal(GearmanReadStatus.Error, GearmanReader.TryRead(ref one, limits, out _, out _, out var error));
        Assert.Equal("PACKET_TOO_LARGE", error.Code);
    }
}
