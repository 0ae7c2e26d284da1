using System.Text;
using Gantry.Core.Topics;
using Xunit;

namespace Gantry.Core.Tests.Topics;

/// <summary>A memory topic's ring: dense offsets, bounds by count and by bytes, dedup while the first copy is kept,
/// reads that report what was dropped, and pruning by age.</summary>
public sealed class MemoryTopicRingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static NewMessage Msg(string body, string? id = null) =>
        new(id ?? Guid.NewGuid().ToString("N"), id is not null, Encoding.UTF8.GetBytes(body), null, null);

    private static IReadOnlyList<PublishResult> Append(MemoryTopicRing ring, DateTimeOffset at, long maxCount, long maxBytes, params NewMessage[] m) =>
        ring.Append(m, at, at - TimeSpan.FromMinutes(2), maxCount, maxBytes, out _, out _);

    [Fact]
    public void Offsets_are_dense_and_the_oldest_go_when_the_count_bound_is_passed()
    {
        var ring = new MemoryTopicRing("t", "e1");
        for (var i = 1; i <= 50; i++) Append(ring, T0, maxCount: 20, maxBytes: long.MaxValue, Msg($"m{i}"));
        Assert.Equal((31L, 50L, 20L), ring.Offsets);
        var read = ring.Read(after: 10, limit: 5);
        Assert.Equal(31, read.FirstOffset); // 11..30 are gone: the reader sees first_offset above what it asked for
        Assert.Equal([31L, 32L, 33L, 34L, 35L], read.Messages.Select(m => m.Offset));
        Assert.Equal("m31", Encoding.UTF8.GetString(read.Messages[0].Body.Span));
        Assert.Empty(ring.Read(after: 50, limit: 5).Messages);
    }

    [Fact]
    public void The_byte_bound_drops_the_oldest_but_never_the_newest()
    {
        var ring = new MemoryTopicRing("t", "e1");
        Append(ring, T0, 1000, maxBytes: 10, Msg("12345"), Msg("12345"), Msg("12345"));
        Assert.Equal((2L, 3L, 2L), ring.Offsets);
        Append(ring, T0, 1000, maxBytes: 10, Msg(new string('x', 100)));
        Assert.Equal((4L, 4L, 1L), ring.Offsets);
    }

    [Fact]
    public void A_repeated_id_is_stored_once_while_the_first_copy_is_kept_and_in_the_window()
    {
        var ring = new MemoryTopicRing("t", "e1");
        var first = Append(ring, T0, 1000, long.MaxValue, Msg("a", "id-1"), Msg("b"), Msg("a again", "id-1"));
        Assert.Equal([new PublishResult(1, false), new PublishResult(2, false), new PublishResult(1, true)], first);
        var later = Append(ring, T0 + TimeSpan.FromMinutes(3), 1000, long.MaxValue, Msg("a late", "id-1"));
        Assert.Equal(new PublishResult(3, false), Assert.Single(later));
    }

    [Fact]
    public void Prune_by_age_and_offset_before_a_time()
    {
        var ring = new MemoryTopicRing("t", "e1");
        for (var i = 0; i < 5; i++) Append(ring, T0 + TimeSpan.FromMinutes(i), 1000, long.MaxValue, Msg($"m{i}"));
        Assert.Equal(2, ring.OffsetBefore(T0 + TimeSpan.FromMinutes(2)));
        Assert.Equal(3, ring.Prune(through: 0, before: T0 + TimeSpan.FromMinutes(3), limit: 100));
        Assert.Equal((4L, 5L, 2L), ring.Offsets);
        Assert.Equal(1, ring.Prune(through: 100, before: T0, limit: 100)); // never the newest
        Assert.Equal((5L, 5L, 1L), ring.Offsets);
    }
}
