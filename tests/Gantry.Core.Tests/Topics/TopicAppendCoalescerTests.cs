using System.Text;
using Gantry.Core.Storage;
using Gantry.Core.Topics;
using Xunit;

namespace Gantry.Core.Tests.Topics;

/// <summary>Concurrent publishes to one topic share store appends: the first runs alone, those that arrive meanwhile go
/// together next, and each caller gets its own results; a failed round fails only its own callers.</summary>
public sealed class TopicAppendCoalescerTests
{
    /// <summary>A store that numbers messages densely and can hold an append until the test lets it go.</summary>
    private sealed class GatedStore : ITopicStore
    {
        public readonly List<int> Calls = [];
        public TaskCompletionSource Gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        /// <summary>The store call (1-based) that fails.</summary>
        public int FailCall;
        private long _last;

        public async Task<PublishOutcome> TopicAppend(string topic, IReadOnlyList<NewMessage> messages, string newEpoch, DateTimeOffset now,
            DateTimeOffset dedupSince, CancellationToken ct)
        {
            int call;
            lock (Calls)
            {
                Calls.Add(messages.Count);
                call = Calls.Count;
            }
            Entered.TrySetResult();
            await Gate.Task;
            if (call == FailCall) throw new InvalidOperationException("the store is down");
            var results = new PublishResult[messages.Count];
            for (var i = 0; i < results.Length; i++) results[i] = new PublishResult(++_last, false);
            return new PublishOutcome(results, "e1");
        }

        public Task<TopicRead?> TopicRead(string topic, long after, int limit, CancellationToken ct) => throw new NotSupportedException();
        public Task<long?> TopicOffsetBefore(string topic, DateTimeOffset time, CancellationToken ct) => throw new NotSupportedException();
        public Task<TopicInfo?> TopicGet(string topic, CancellationToken ct) => throw new NotSupportedException();
        public Task<IReadOnlyList<TopicInfo>> TopicList(CancellationToken ct) => throw new NotSupportedException();
        public Task<TopicInfo> TopicSave(string topic, TopicSettings settings, string newEpoch, DateTimeOffset now, CancellationToken ct) => throw new NotSupportedException();
        public Task<bool> TopicDelete(string topic, CancellationToken ct) => throw new NotSupportedException();
        public Task<int> TopicPrune(string topic, long throughOffset, DateTimeOffset publishedBefore, int limit, CancellationToken ct) => throw new NotSupportedException();
    }

    private static NewMessage[] Msgs(int n) =>
        Enumerable.Range(0, n).Select(_ => new NewMessage(Guid.NewGuid().ToString("N"), false, Encoding.UTF8.GetBytes("x"), null, null)).ToArray();

    private static Task<PublishOutcome> Append(TopicAppendCoalescer c, int n) =>
        c.AppendAsync("t", Msgs(n), "e0", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, CancellationToken.None);

    [Fact]
    public async Task Publishes_that_arrive_during_an_append_go_to_the_store_together_and_each_gets_its_own_offsets()
    {
        var store = new GatedStore();
        var coalescer = new TopicAppendCoalescer(store);
        var first = Append(coalescer, 2);
        await store.Entered.Task;
        var queued = Enumerable.Range(0, 4).Select(i => Append(coalescer, i + 1)).ToList(); // 1, 2, 3 and 4 messages
        store.Gate.TrySetResult();

        Assert.Equal([1L, 2L], (await first).Results.Select(r => r.Offset));
        var answers = await Task.WhenAll(queued);
        Assert.Equal([2, 10], store.Calls);
        Assert.Equal([[3L], [4L, 5L], [6L, 7L, 8L], [9L, 10L, 11L, 12L]], answers.Select(a => a.Results.Select(r => r.Offset).ToArray()));
    }

    [Fact]
    public async Task A_failed_merged_append_fails_its_own_callers_only_and_the_topic_takes_publishes_again()
    {
        var store = new GatedStore { FailCall = 2 };
        var coalescer = new TopicAppendCoalescer(store);
        var first = Append(coalescer, 1);
        await store.Entered.Task;
        var queued = new[] { Append(coalescer, 1), Append(coalescer, 2) };
        store.Gate.TrySetResult();

        Assert.Equal(1L, (await first).Results[0].Offset);
        foreach (var q in queued) await Assert.ThrowsAsync<InvalidOperationException>(() => q);
        Assert.Equal([2L, 3L], (await Append(coalescer, 2)).Results.Select(r => r.Offset));
        Assert.Equal([1, 3, 2], store.Calls);
    }
}
