using Gantry.Core.Storage;
using Npgsql;
using static Gantry.Storage.Postgres.Sql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// The LISTEN/NOTIFY channels servers sharing a database use to wake each other, and the one way a transaction tells
/// the other servers what it changed: <see cref="Add"/> puts the notifications of a <see cref="ChangeSet"/> into the
/// transaction's batch, so they are delivered at commit (and not at all on rollback). <see cref="PostgresListener"/>
/// hands what arrives to this server's <see cref="INotifier"/>.
/// </summary>
internal static class PostgresNotifications
{
    /// <summary>Payload: a queue name that got available jobs (insert, promotion, retry, release, resume).</summary>
    public const string JobsAvailable = "gantry_jobs_available";

    /// <summary>Payload: the id of a finished job that someone waits for (its <c>notify_finish</c> flag is set).
    /// Finishes are sent by the statements themselves, which know that flag.</summary>
    public const string JobFinished = "gantry_job_finished";

    /// <summary>Payload: none. A queue was paused, resumed or given a lane: read the settings again.</summary>
    public const string QueueSettings = "gantry_queue_settings";

    /// <summary>Payload: <c>first last topic</c>, the offsets a commit appended to a topic (topic names hold no spaces).</summary>
    public const string TopicPublished = "gantry_topic_published";

    /// <summary>Payload: <c>topic group</c>, a group whose deliveries became deliverable now (nack, reset, replay).</summary>
    public const string GroupReady = "gantry_group_ready";

    /// <summary>Every channel the listener subscribes to.</summary>
    public static readonly string[] Channels = [JobsAvailable, JobFinished, QueueSettings, TopicPublished, GroupReady];

    /// <summary>Adds the notifications other servers need for <paramref name="changes"/> (queues with new available
    /// jobs, changed queue settings) to <paramref name="batch"/>.</summary>
    public static void Add(NpgsqlBatch batch, ChangeSet changes)
    {
        AddJobsAvailable(batch, changes.QueuesWithAvailableJobs);
        if (changes.QueueSettingsChanged) batch.BatchCommands.Add(Command($"SELECT pg_notify('{QueueSettings}', '')"));
        foreach (var p in changes.MessagesPublished)
            batch.BatchCommands.Add(Command($"SELECT pg_notify('{TopicPublished}', $1)", P($"{p.First} {p.Last} {p.Topic}")));
        foreach (var (topic, group) in changes.GroupsReady)
            batch.BatchCommands.Add(Command($"SELECT pg_notify('{GroupReady}', $1)", P($"{topic} {group}")));
    }

    public static void AddJobsAvailable(NpgsqlBatch batch, IReadOnlyCollection<string> queues)
    {
        if (queues.Count == 0) return;
        batch.BatchCommands.Add(Command($"SELECT pg_notify('{JobsAvailable}', q) FROM unnest($1::text[]) AS q", P(queues.ToArray())));
    }

    /// <summary>For jobs whose waiters another server may hold (their <c>notify_finish</c> flag was set).</summary>
    public static void AddJobsFinished(NpgsqlBatch batch, IReadOnlyCollection<long> ids)
    {
        if (ids.Count == 0) return;
        batch.BatchCommands.Add(Command($"SELECT pg_notify('{JobFinished}', id::text) FROM unnest($1::bigint[]) AS id", P(ids.ToArray())));
    }

    /// <summary>What a notification from another server means here.</summary>
    public static void Deliver(INotifier notifier, string channel, string payload)
    {
        var changes = new ChangeSet();
        switch (channel)
        {
            case JobsAvailable:
                changes.JobsAvailable(payload);
                break;
            case JobFinished when long.TryParse(payload, out var id):
                changes.JobFinished(id);
                break;
            case QueueSettings:
                changes.QueueSettingChanged();
                break;
            case TopicPublished when payload.Split(' ', 3) is [var first, var last, var topic]
                                     && long.TryParse(first, out var f) && long.TryParse(last, out var l):
                changes.Published(topic, f, l);
                break;
            case GroupReady when payload.Split(' ', 2) is [var topic, var group]:
                changes.GroupReady(topic, group);
                break;
            default:
                return;
        }
        notifier.Announce(changes);
    }
}
