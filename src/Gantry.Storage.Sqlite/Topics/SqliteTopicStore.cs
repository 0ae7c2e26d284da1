using Gantry.Core.Storage;
using Gantry.Core.Topics;

namespace Gantry.Storage.Sqlite;

/// <summary>The topic log port on SQLite: appends go through the group-committing writer (durable: fsynced with the
/// batch they commit in), reads through the pooled readers.</summary>
internal sealed class SqliteTopicStore(SqliteStore store) : ITopicStore
{
    /// <summary>The writer thread commits every queued append in one transaction (group commit).</summary>
    public bool MergesConcurrentAppends => true;

    public Task<PublishOutcome> TopicAppend(string topic, IReadOnlyList<NewMessage> messages, string newEpoch, DateTimeOffset now,
        DateTimeOffset dedupSince, CancellationToken ct) =>
        store.Writer.Run(w => w.TopicAppend(topic, messages, newEpoch, now, dedupSince));

    public Task<TopicRead?> TopicRead(string topic, long after, int limit, CancellationToken ct) =>
        Task.FromResult(store.Reads.TopicRead(topic, after, limit));

    public Task<long?> TopicOffsetBefore(string topic, DateTimeOffset time, CancellationToken ct) =>
        Task.FromResult(store.Reads.TopicOffsetBefore(topic, time));

    public Task<TopicInfo?> TopicGet(string topic, CancellationToken ct) => Task.FromResult(store.Reads.TopicGet(topic));

    public Task<IReadOnlyList<TopicInfo>> TopicList(CancellationToken ct) => Task.FromResult(store.Reads.TopicList());

    public Task<TopicInfo> TopicSave(string topic, TopicSettings settings, string newEpoch, DateTimeOffset now, CancellationToken ct) =>
        store.Writer.Run(w => w.TopicSave(topic, settings, newEpoch, now));

    public Task<bool> TopicDelete(string topic, CancellationToken ct) => store.Writer.Run(w => w.TopicDelete(topic));

    public Task<int> TopicPrune(string topic, long throughOffset, DateTimeOffset publishedBefore, int limit, CancellationToken ct) =>
        store.Writer.Run(w => w.TopicPrune(topic, throughOffset, publishedBefore, limit), durable: false);
}
