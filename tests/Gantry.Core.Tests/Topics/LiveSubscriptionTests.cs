using Gantry.Core.Topics;
using Xunit;

namespace Gantry.Core.Tests.Topics;

/// <summary>A live subscriber's buffer: a burst reaches a subscriber that keeps up; one that is further behind than its
/// allowance when a page arrives is cut off (and told at once), or loses the oldest if it chose to.</summary>
public sealed class LiveSubscriptionTests
{
    private static readonly SubscriberInfo Info = new("test", null, DateTimeOffset.UnixEpoch, "t");

    private static TopicMessage[] Page(long from, int n) =>
        Enumerable.Range(0, n).Select(i => new TopicMessage("t", from + i, "id", null, null, new byte[1], DateTimeOffset.UnixEpoch)).ToArray();

    [Fact]
    public void A_burst_bigger_than_the_allowance_reaches_a_subscriber_that_was_caught_up()
    {
        var cut = 0;
        var s = new LiveSubscription(TopicPattern.Parse("t"), Info, SlowConsumerPolicy.Disconnect, behind: 10, page: 1000, _ => { }, () => cut++);
        Assert.True(s.OfferPage(Page(1, 1000)));
        Assert.Equal((LiveEnd.None, 0), (s.EndReason, cut));
        var read = 0;
        while (s.Reader.TryRead(out _)) read++;
        Assert.Equal(1000, read);
    }

    [Fact]
    public void A_subscriber_still_behind_its_allowance_when_the_next_page_comes_is_cut_off_and_told_at_once()
    {
        var cut = 0;
        var s = new LiveSubscription(TopicPattern.Parse("t"), Info, SlowConsumerPolicy.Disconnect, behind: 10, page: 100, _ => { }, () => cut++);
        Assert.True(s.OfferPage(Page(1, 50)));
        for (var i = 0; i < 39; i++) s.Reader.TryRead(out _); // 11 left: more than 10 behind
        Assert.False(s.OfferPage(Page(51, 1)));
        Assert.Equal((LiveEnd.Overflow, 1), (s.EndReason, cut));
        Assert.False(s.OfferPage(Page(52, 1)));
        Assert.Equal(1, cut);
    }

    [Fact]
    public void Drop_oldest_keeps_the_newest_allowance_and_never_cuts_off()
    {
        var s = new LiveSubscription(TopicPattern.Parse("t"), Info, SlowConsumerPolicy.DropOldest, behind: 10, page: 100, _ => { });
        Assert.True(s.OfferPage(Page(1, 25)));
        var offsets = new List<long>();
        while (s.Reader.TryRead(out var m)) offsets.Add(m.Offset);
        Assert.Equal(Enumerable.Range(16, 10).Select(i => (long)i), offsets);
        Assert.Equal(LiveEnd.None, s.EndReason);
    }
}
