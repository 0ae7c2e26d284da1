using System.IO.Pipelines;
using Gantry.Testing;
using Microsoft.Extensions.Options;
using Xunit;

namespace Gantry.Gearman.Tests;

/// <summary>The read guard's rules on a clock the test moves (the connections are pipes): when a connection counts as
/// silent in the middle of a packet, and which connection the bound on partly received packets refuses.</summary>
public sealed class ReadGuardTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const long Max = 1024 * 1024;

    private readonly ManualTimeProvider _time = new();
    private readonly GearmanReadGuard _guard;

    public ReadGuardTests() => _guard = new GearmanReadGuard(
        Options.Create(new GearmanOptions { PartialPacketTimeout = Timeout, MaxBufferedBytes = Max }), _time);

    [Fact]
    public async Task A_connection_with_part_of_a_packet_is_woken_once_the_timeout_passes_without_a_byte()
    {
        var pipe = new Pipe();
        var read = _guard.Open(pipe.Reader);
        Assert.True(_guard.Held(read, 40));
        var pending = pipe.Reader.ReadAsync();

        _time.Advance(Timeout - TimeSpan.FromSeconds(1));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(10));

        var result = await pending.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(result.IsCanceled);
        Assert.True(_guard.TimedOut(read, result.Buffer.Length));
    }

    [Fact]
    public void Bytes_arriving_restart_the_silence()
    {
        var read = _guard.Open(new Pipe().Reader);
        Assert.True(_guard.Held(read, 40));
        _time.Advance(Timeout - TimeSpan.FromSeconds(5));
        Assert.True(_guard.Held(read, 4000)); // more of the packet came
        _time.Advance(Timeout - TimeSpan.FromSeconds(5));

        Assert.False(read.TimedOut);
        Assert.Equal(Timeout - TimeSpan.FromSeconds(5), _guard.Silence(read));
    }

    [Fact]
    public void A_connection_idle_between_packets_is_never_timed_out()
    {
        var read = _guard.Open(new Pipe().Reader);
        Assert.True(_guard.Held(read, 40));
        Assert.True(_guard.Held(read, 0)); // the packet completed; nothing is pending
        _time.Advance(TimeSpan.FromHours(5));

        Assert.False(read.TimedOut);
        Assert.Equal(TimeSpan.Zero, _guard.Silence(read));
    }

    [Fact]
    public void A_cancelled_read_that_brought_bytes_is_not_a_timeout()
    {
        var read = _guard.Open(new Pipe().Reader);
        Assert.True(_guard.Held(read, 40));
        _time.Advance(Timeout * 2);
        Assert.True(read.TimedOut);

        Assert.False(_guard.TimedOut(read, 41)); // a byte arrived just as the sweep flagged the connection
        Assert.False(read.TimedOut);
    }

    [Fact]
    public void The_connection_that_takes_the_total_past_the_bound_is_refused_and_its_bytes_released()
    {
        var first = _guard.Open(new Pipe().Reader);
        var second = _guard.Open(new Pipe().Reader);
        Assert.True(_guard.Held(first, 700 * 1024));
        Assert.Equal(700 * 1024, _guard.CountedBytes);

        Assert.False(_guard.Held(second, 400 * 1024));
        Assert.Equal(700 * 1024, _guard.CountedBytes);

        // The first may still grow to the bound, and what it held is released when its packet completes.
        Assert.True(_guard.Held(first, Max));
        Assert.True(_guard.Held(first, 0));
        Assert.Equal(0, _guard.CountedBytes);
    }

    [Fact]
    public void Small_partial_packets_are_not_counted_and_never_refused()
    {
        var big = _guard.Open(new Pipe().Reader);
        Assert.True(_guard.Held(big, Max));
        var small = _guard.Open(new Pipe().Reader);

        Assert.True(_guard.Held(small, GearmanReadGuard.UncountedBytes - 1));
        Assert.Equal(Max, _guard.CountedBytes);
    }

    [Fact]
    public void A_closed_connection_releases_what_it_held()
    {
        var read = _guard.Open(new Pipe().Reader);
        Assert.True(_guard.Held(read, 500 * 1024));
        _guard.Close(read);
        Assert.Equal(0, _guard.CountedBytes);
    }
}
