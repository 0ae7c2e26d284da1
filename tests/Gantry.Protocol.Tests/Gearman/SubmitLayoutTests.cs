using System.Buffers;
using Gantry.Protocol.Gearman;
using Xunit;
using static Gantry.Protocol.Tests.Gearman.Bytes;
using T = Gantry.Protocol.Gearman.GearmanPacketType;

namespace Gantry.Protocol.Tests.Gearman;

/// <summary>Where each SUBMIT_JOB* type puts its fields (PROTOCOL): read from packets framed off the wire byte by byte,
/// so the layout is the codec's, not the job server's.</summary>
public sealed class SubmitLayoutTests
{
    private static GearmanSubmit Read(T type, string body)
    {
        var frame = GearmanWriter.ToArray(GearmanMagic.Request, type, body.Split('\u0001').Select(Ascii).ToArray());
        var buffer = new ReadOnlySequence<byte>(frame);
        Assert.Equal(GearmanReadStatus.Packet, GearmanReader.TryRead(ref buffer, GearmanReadLimits.Default, out var packet, out _, out _));
        Assert.True(GearmanSubmit.TryRead(packet, out var submit));
        return submit;
    }

    [Theory]
    [InlineData(T.SubmitJob, GearmanSubmitPriority.Normal, false)]
    [InlineData(T.SubmitJobBg, GearmanSubmitPriority.Normal, true)]
    [InlineData(T.SubmitJobHigh, GearmanSubmitPriority.High, false)]
    [InlineData(T.SubmitJobHighBg, GearmanSubmitPriority.High, true)]
    [InlineData(T.SubmitJobLow, GearmanSubmitPriority.Low, false)]
    [InlineData(T.SubmitJobLowBg, GearmanSubmitPriority.Low, true)]
    public void Plain_submissions_are_function_unique_payload_with_their_priority(T type, GearmanSubmitPriority priority, bool background)
    {
        var s = Read(type, "reverse\u0001u-1\u0001pay\0load");

        Assert.Equal(Ascii("reverse"), s.Function.ToArray());
        Assert.Equal(Ascii("u-1"), s.Unique.ToArray());
        Assert.Equal(Ascii("pay\0load"), s.Payload.ToArray()); // the last field takes the rest, NULs and all
        Assert.Equal(priority, s.Priority);
        Assert.Equal(background, s.Background);
        Assert.Empty(s.Epoch.ToArray());
        Assert.Empty(s.Reducer.ToArray());
        Assert.False(s.IsReduce);
    }

    [Fact]
    public void Epoch_is_the_third_field_and_the_payload_the_fourth_of_a_background_job()
    {
        var s = Read(T.SubmitJobEpoch, "f\u0001\u00011700000000\u0001data\0more");

        Assert.Equal(Ascii("1700000000"), s.Epoch.ToArray());
        Assert.Equal(Ascii("data\0more"), s.Payload.ToArray());
        Assert.Empty(s.Unique.ToArray());
        Assert.True(s.Background);
    }

    [Fact]
    public void Sched_has_five_schedule_fields_then_the_payload()
    {
        var s = Read(T.SubmitJobSched, "f\u0001u\u000130\u00012\u0001\u000112\u00016\u0001the job");

        Assert.Equal(["30", "2", "", "12", "6"], Enumerable.Range(0, 5).Select(i => System.Text.Encoding.ASCII.GetString(s.Schedule(i))));
        Assert.Equal(Ascii("the job"), s.Payload.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Schedule(5).ToArray());
        Assert.True(s.Background);
    }

    [Theory]
    [InlineData(T.SubmitReduceJob, false)]
    [InlineData(T.SubmitReduceJobBackground, true)]
    public void Reduce_jobs_carry_the_reducer_third_an_aggregator_fourth_and_the_payload_last(T type, bool background)
    {
        var s = Read(type, "map\u0001u\u0001my_reducer\u0001agg\u0001in\0put");

        Assert.True(s.IsReduce);
        Assert.Equal(Ascii("my_reducer"), s.Reducer.ToArray());
        Assert.Equal(Ascii("in\0put"), s.Payload.ToArray());
        Assert.Equal(background, s.Background);
    }

    [Theory]
    [InlineData(T.GrabJob)]
    [InlineData(T.WorkComplete)]
    [InlineData(T.EchoReq)]
    public void Other_packets_are_not_submissions(T type)
    {
        Assert.False(GearmanSubmit.IsSubmit(type));
        Assert.False(GearmanSubmit.TryRead(new GearmanPacket(GearmanMagic.Request, type, Ascii("x")), out _));
    }
}
