using Npgsql;

namespace Gantry.Storage.Postgres;

/// <summary>
/// Versioned schema migrations, applied in one transaction under an advisory lock, so two servers starting
/// together apply each migration once (the second waits, then finds nothing to do).
/// </summary>
/// <remarks>
/// Tables go in the connection's current schema (set <c>Search Path</c> in the connection string to choose one).
/// State codes are <see cref="Gantry.Core.Jobs.JobState"/>'s values; partial indexes name them as literals so the
/// planner can match queries using the same literals: 0 scheduled, 1 available, 2 running, 3 succeeded,
/// 4 failed, 5 dead, 6 cancelled.
/// </remarks>
internal static class PostgresSchema
{
    /// <summary>An arbitrary constant that names Gantry's migration lock among the database's advisory locks.</summary>
    private const long MigrationLockKey = 0x47414E5452590001; // "GANTRY" + 1

    public static readonly IReadOnlyList<(int Version, string Description, string Sql)> Migrations =
    [
        (1, "jobs and queues", """
            CREATE SEQUENCE gantry_jobs_id_seq;
            CREATE TABLE gantry_jobs (
                id               bigint      PRIMARY KEY DEFAULT nextval('gantry_jobs_id_seq'),
                queue            text        NOT NULL,
                state            smallint    NOT NULL,
                priority         int         NOT NULL,
                run_at           timestamptz NOT NULL,
                payload          bytea       NOT NULL,
                unique_key       text,
                attempt          int         NOT NULL DEFAULT 0,
                max_attempts     int         NOT NULL,
                timeout_ms       int         NOT NULL,
                created_at       timestamptz NOT NULL,
                started_at       timestamptz,
                finished_at      timestamptz,
                lease_expires_at timestamptz,
                cancel_requested boolean     NOT NULL DEFAULT false,
                notify_finish    boolean     NOT NULL DEFAULT false,
                result           bytea,
                errors           jsonb
            );
            ALTER SEQUENCE gantry_jobs_id_seq OWNED BY gantry_jobs.id;
            CREATE INDEX gantry_jobs_fetch ON gantry_jobs (queue, priority DESC, run_at, id) WHERE state = 1;
            CREATE INDEX gantry_jobs_due ON gantry_jobs (run_at) WHERE state IN (0, 4);
            -- Not "WHERE state = 2": statements that update running jobs by id must never be tempted to scan this index
            -- (statistics on state are always stale); lease_expires_at is set exactly while a job runs.
            CREATE INDEX gantry_jobs_lease ON gantry_jobs (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
            CREATE INDEX gantry_jobs_finished ON gantry_jobs (state, finished_at) WHERE state IN (3, 5, 6);
            CREATE UNIQUE INDEX gantry_jobs_unique ON gantry_jobs (queue, unique_key)
                WHERE unique_key IS NOT NULL AND state IN (0, 1, 2, 4);
            CREATE TABLE gantry_queues (
                name       text        PRIMARY KEY,
                paused     boolean     NOT NULL DEFAULT false,
                created_at timestamptz NOT NULL
            );
            """),
        (2, "recurring schedules and their fires", """
            CREATE TABLE gantry_recurring (
                name            text        PRIMARY KEY,
                cron            text        NOT NULL,
                time_zone       text        NOT NULL,
                queue           text        NOT NULL,
                payload         bytea       NOT NULL,
                priority        int,
                max_attempts    int,
                timeout_ms      int,
                misfire         smallint    NOT NULL,
                skip_if_running boolean     NOT NULL,
                source          smallint    NOT NULL,
                paused          boolean     NOT NULL,
                next_fire_at    timestamptz,
                last_fire_at    timestamptz,
                last_job_id     bigint,
                created_at      timestamptz NOT NULL,
                updated_at      timestamptz NOT NULL
            );
            CREATE INDEX gantry_recurring_due ON gantry_recurring (next_fire_at) WHERE NOT paused AND next_fire_at IS NOT NULL;
            -- One row per tick acted on. The primary key is what makes a tick fire once across every server sharing the
            -- database, whatever their timers and clocks do.
            CREATE TABLE gantry_recurring_fires (
                schedule text        NOT NULL,
                fire_at  timestamptz NOT NULL,
                outcome  smallint    NOT NULL,
                job_id   bigint,
                fired_at timestamptz NOT NULL,
                PRIMARY KEY (schedule, fire_at)
            );
            CREATE INDEX gantry_recurring_fires_age ON gantry_recurring_fires (fire_at);
            """),
        (3, "queue lanes", """
            ALTER TABLE gantry_queues ADD COLUMN lane text;
            """),
        (4, "topics, their messages, consumer groups", """
            CREATE TABLE gantry_topics (
                name              text        PRIMARY KEY,
                epoch             text        NOT NULL,
                last_seq          bigint      NOT NULL DEFAULT 0,
                retain_count      bigint,
                retain_age_ms     bigint,
                max_message_bytes int,
                declared          boolean     NOT NULL DEFAULT false,
                created_at        timestamptz NOT NULL
            );
            -- seq is the message's offset (OFFSET is an SQL keyword). Appends lock the topic's row until they commit,
            -- which is what keeps offsets becoming visible in order across servers.
            CREATE TABLE gantry_messages (
                topic        text        NOT NULL,
                seq          bigint      NOT NULL,
                msg_id       text        NOT NULL,
                content_type text,
                headers      text,
                body         bytea       NOT NULL,
                published_at timestamptz NOT NULL,
                PRIMARY KEY (topic, seq)
            );
            CREATE INDEX gantry_messages_id ON gantry_messages (topic, msg_id);
            CREATE INDEX gantry_messages_time ON gantry_messages (topic, published_at);
            CREATE TABLE gantry_groups (
                topic          text        NOT NULL,
                name           text        NOT NULL,
                delivered_seq  bigint      NOT NULL,
                ack_timeout_ms bigint      NOT NULL,
                max_deliveries int         NOT NULL,
                created_at     timestamptz NOT NULL,
                PRIMARY KEY (topic, name)
            );
            -- One row per message of a group not yet acked: state 0 waiting (deliverable at visible_at), 1 leased (until
            -- visible_at), 2 dead. A dead letter keeps a copy of its message, so retention pruning cannot lose it.
            CREATE TABLE gantry_group_deliveries (
                topic        text        NOT NULL,
                grp          text        NOT NULL,
                seq          bigint      NOT NULL,
                attempt      int         NOT NULL,
                state        smallint    NOT NULL,
                member       text,
                visible_at   timestamptz NOT NULL,
                published_at timestamptz NOT NULL,
                dead_at      timestamptz,
                msg_id       text,
                content_type text,
                headers      text,
                body         bytea,
                PRIMARY KEY (topic, grp, seq)
            );
            CREATE INDEX gantry_group_deliveries_due ON gantry_group_deliveries (topic, grp, visible_at) WHERE state < 2;
            """),
        (5, "topic lanes", """
            ALTER TABLE gantry_topics ADD COLUMN lane text;
            """),
        (6, "webhooks and their cursors", """
            CREATE TABLE gantry_webhooks (
                name       text        PRIMARY KEY,
                topic      text        NOT NULL, -- a topic or a pattern
                url        text        NOT NULL,
                secret     text        NOT NULL,
                epoch      text        NOT NULL, -- changes at each fresh start; delivery jobs of another epoch are skipped
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            -- Per webhook and topic: every offset up to last_offset of the topic's history topic_epoch was delivered or
            -- given up on. A topic deleted and created again has another epoch and offsets from 1: its cursor starts over
            -- ('' until a first delivery: a start at an offset of a topic that did not exist yet).
            CREATE TABLE gantry_webhook_cursors (
                webhook     text        NOT NULL,
                topic       text        NOT NULL,
                topic_epoch text        NOT NULL,
                last_offset bigint      NOT NULL,
                updated_at  timestamptz NOT NULL,
                PRIMARY KEY (webhook, topic)
            );
            """),
    ];

    /// <param name="waiting">Told when another session holds the migration lock, before this one waits for it: an
    /// operator whose <c>gantry migrate</c> seems to hang learns what it waits for.</param>
    public static async Task MigrateAsync(NpgsqlDataSource db, DateTimeOffset now, CancellationToken ct, Action<string>? waiting = null)
    {
        await using var conn = await db.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
        await using (var tryLock = new NpgsqlCommand($"SELECT pg_try_advisory_xact_lock({MigrationLockKey})", conn, tx))
        {
            if (await tryLock.ExecuteScalarAsync(ct).ConfigureAwait(false) is not true)
            {
                waiting?.Invoke(await LockHolderAsync(conn, tx, ct).ConfigureAwait(false));
                await Exec(conn, tx, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", ct).ConfigureAwait(false);
            }
        }
        await Exec(conn, tx, """
            CREATE TABLE IF NOT EXISTS gantry_schema_migrations (
                version     int         PRIMARY KEY,
                description text        NOT NULL,
                applied_at  timestamptz NOT NULL
            )
            """, ct).ConfigureAwait(false);

        var applied = new HashSet<int>();
        await using (var read = new NpgsqlCommand("SELECT version FROM gantry_schema_migrations", conn, tx))
        await using (var r = await read.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            while (await r.ReadAsync(ct).ConfigureAwait(false)) applied.Add(r.GetInt32(0));
        }
        var known = Migrations.Max(m => m.Version);
        if (applied.Count > 0 && applied.Max() > known)
            throw new InvalidOperationException(
                $"The database was migrated by a newer Gantry (schema version {applied.Max()}; this one knows up to {known}). Upgrade this server.");

        foreach (var (version, description, sql) in Migrations)
        {
            if (applied.Contains(version)) continue;
            await Exec(conn, tx, sql, ct).ConfigureAwait(false);
            await using var record = new NpgsqlCommand(
                "INSERT INTO gantry_schema_migrations (version, description, applied_at) VALUES ($1, $2, $3)", conn, tx);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = description });
            record.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Who holds the migration lock, as PostgreSQL knows them (application name, address, since when).</summary>
    private static async Task<string> LockHolderAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT a.pid, coalesce(nullif(a.application_name, ''), '?'), coalesce(host(a.client_addr), 'local'), a.xact_start
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND ((l.classid::bigint << 32) | l.objid::bigint) = $1
            LIMIT 1
            """, conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = MigrationLockKey });
        await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        return await r.ReadAsync(ct).ConfigureAwait(false)
            ? $"backend {r.GetInt32(0)} ({r.GetString(1)} from {r.GetString(2)}, in a transaction since {r.GetFieldValue<DateTimeOffset>(3):u})"
            : "another session";
    }

    private static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }
}
