using System.Collections.Concurrent;
using Gantry.Core.Storage;
using Gantry.Core.Jobs;
using Npgsql;
using static Gantry.Storage.Postgres.Sql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// Enqueue: all jobs of a call in one transaction and one round trip. Ids are drawn from the sequence in the
/// statement itself, so each input row knows its id whether or not a unique key made it yield to a live job.
/// </summary>
internal sealed class PostgresJobInserts(NpgsqlDataSource db, INotifier notifier)
{
    /// <summary>How many times to retry rows whose unique-key holder finished between our insert and our look-up.</summary>
    private const int MaxUniqueRounds = 5;

    private const string InsertSql = """
        WITH input AS MATERIALIZED (
            SELECT nextval('gantry_jobs_id_seq') AS id, t.*
            FROM unnest($1::text[], $2::smallint[], $3::int[], $4::timestamptz[], $5::bytea[], $6::text[],
                        $7::int[], $8::int[], $9::timestamptz[], $10::boolean[])
                 WITH ORDINALITY AS t(queue, state, priority, run_at, payload, unique_key,
                                      max_attempts, timeout_ms, created_at, notify_finish, ord)
        ),
        inserted AS (
            INSERT INTO gantry_jobs (id, queue, state, priority, run_at, payload, unique_key,
                                     max_attempts, timeout_ms, created_at, notify_finish)
            SELECT id, queue, state, priority, run_at, payload, unique_key, max_attempts, timeout_ms, created_at, notify_finish
            FROM input ORDER BY ord
            ON CONFLICT (queue, unique_key) WHERE unique_key IS NOT NULL AND state IN (0, 1, 2, 4) DO NOTHING
            RETURNING id
        )
        SELECT input.ord, input.id, inserted.id IS NOT NULL
        FROM input LEFT JOIN inserted ON inserted.id = input.id
        ORDER BY input.ord
        """;

    private const string FindLiveSql = """
        SELECT j.queue, j.unique_key, j.id, j.state
        FROM gantry_jobs j
        JOIN unnest($1::text[], $2::text[]) AS k(queue, unique_key) ON j.queue = k.queue AND j.unique_key = k.unique_key
        WHERE j.unique_key IS NOT NULL AND j.state IN (0, 1, 2, 4)
        """;

    private readonly ConcurrentDictionary<string, bool> _knownQueues = new(StringComparer.Ordinal);

    public Task<IReadOnlyList<EnqueueResult>> JobInsertMany(IReadOnlyList<NewJob> jobs, CancellationToken ct) =>
        Retrying(() => InsertOnceAsync(jobs, ct));

    private async Task<IReadOnlyList<EnqueueResult>> InsertOnceAsync(IReadOnlyList<NewJob> jobs, CancellationToken ct)
    {
        var results = new EnqueueResult[jobs.Count];
        var newQueues = jobs.Select(j => j.Queue).Where(q => !_knownQueues.ContainsKey(q)).Distinct().ToArray();
        var availableQueues = jobs.Where(j => j.InitialState == JobState.Available).Select(j => j.Queue).Distinct().ToArray();

        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);

        var pending = Enumerable.Range(0, jobs.Count).ToList();
        for (var round = 0; pending.Count > 0; round++)
        {
            if (round == MaxUniqueRounds)
                throw new InvalidOperationException($"Unique keys kept changing hands while enqueueing; gave up after {MaxUniqueRounds} rounds.");
            var conflicted = await InsertRowsAsync(conn, tx, jobs, pending, results, round == 0 ? newQueues : [], round == 0 ? availableQueues : [], ct)
                .ConfigureAwait(false);
            pending = conflicted.Count == 0 ? [] : await ResolveConflictsAsync(conn, tx, jobs, conflicted, results, ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);

        foreach (var q in newQueues) _knownQueues.TryAdd(q, true);
        var changes = new ChangeSet();
        for (var i = 0; i < jobs.Count; i++)
        {
            if (results[i].Existing) continue;
            if (results[i].State == JobState.Available) changes.JobsAvailable(jobs[i].Queue);
            else changes.JobDue(jobs[i].RunAt);
        }
        notifier.Announce(changes);
        return results;
    }

    /// <summary>Inserts the rows at <paramref name="rows"/>; returns those that yielded to a live job's unique key.</summary>
    internal static async Task<List<int>> InsertRowsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<NewJob> jobs,
        List<int> rows, EnqueueResult[] results, string[] newQueues, string[] availableQueues, CancellationToken ct)
    {
        var n = rows.Count;
        var queue = new string[n];
        var state = new short[n];
        var priority = new int[n];
        var runAt = new DateTimeOffset[n];
        var payload = new byte[n][];
        var uniqueKey = new string?[n];
        var maxAttempts = new int[n];
        var timeoutMs = new int[n];
        var createdAt = new DateTimeOffset[n];
        var notify = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var job = jobs[rows[i]];
            queue[i] = job.Queue;
            state[i] = (short)job.InitialState;
            priority[i] = job.Priority;
            runAt[i] = Utc(job.RunAt);
            payload[i] = Bytes(job.Payload);
            uniqueKey[i] = job.UniqueKey;
            maxAttempts[i] = job.MaxAttempts;
            timeoutMs[i] = (int)job.Timeout.TotalMilliseconds;
            createdAt[i] = Utc(job.CreatedAt);
            notify[i] = job.WatchFinish;
        }

        await using var batch = new NpgsqlBatch(conn, tx);
        batch.BatchCommands.Add(Command(InsertSql, P(queue), P(state), P(priority), P(runAt), P(payload), P(uniqueKey),
            P(maxAttempts), P(timeoutMs), P(createdAt), P(notify)));
        if (newQueues.Length > 0)
        {
            batch.BatchCommands.Add(Command(
                "INSERT INTO gantry_queues (name, created_at) SELECT unnest($1::text[]), $2 ON CONFLICT (name) DO NOTHING",
                P(newQueues), P(createdAt[0])));
        }
        // Delivered at commit, to every server listening: their fetchers wake without polling.
        PostgresNotifications.AddJobsAvailable(batch, availableQueues);

        var conflicted = new List<int>();
        await using var r = await batch.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await r.ReadAsync(ct).ConfigureAwait(false))
        {
            var row = rows[(int)r.GetInt64(0) - 1];
            if (r.GetBoolean(2)) results[row] = new EnqueueResult(r.GetInt64(1), jobs[row].InitialState, Existing: false);
            else conflicted.Add(row);
        }
        return conflicted;
    }

    /// <summary>Points conflicted rows at the live jobs holding their keys; returns rows whose holder has since finished.</summary>
    private static async Task<List<int>> ResolveConflictsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, IReadOnlyList<NewJob> jobs,
        List<int> conflicted, EnqueueResult[] results, CancellationToken ct)
    {
        var live = new Dictionary<(string, string), (long Id, JobState State)>();
        await using (var find = Command(conn, tx, FindLiveSql,
                         P(conflicted.Select(i => jobs[i].Queue).ToArray()), P(conflicted.Select(i => jobs[i].UniqueKey!).ToArray())))
        await using (var r = await find.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false))
                live[(r.GetString(0), r.GetString(1))] = (r.GetInt64(2), (JobState)r.GetInt16(3));
        }
        var retry = new List<int>();
        foreach (var row in conflicted)
        {
            if (live.TryGetValue((jobs[row].Queue, jobs[row].UniqueKey!), out var holder))
                results[row] = new EnqueueResult(holder.Id, holder.State, Existing: true);
            else
                retry.Add(row);
        }
        return retry;
    }

    internal static byte[] Bytes(ReadOnlyMemory<byte> memory) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();
}
