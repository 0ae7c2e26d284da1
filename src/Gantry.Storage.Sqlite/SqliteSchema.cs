using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// Versioned schema migrations for the embedded store, applied in order inside one write transaction
/// (BEGIN IMMEDIATE makes a second process wait rather than apply them twice).
/// </summary>
/// <remarks>
/// State codes are <see cref="Gantry.Core.Jobs.JobState"/>'s values. Partial indexes name them as literals so the
/// planner can match queries that use the same literals: 0 scheduled, 1 available, 2 running, 3 succeeded,
/// 4 failed, 5 dead, 6 cancelled.
/// </remarks>
internal static class SqliteSchema
{
    public static readonly IReadOnlyList<(int Version, string Description, string Sql)> Migrations =
    [
        (1, "jobs and queues", """
            CREATE TABLE gantry_jobs (
                id               INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: ids are never reused after pruning
                queue            TEXT    NOT NULL,
                state            INTEGER NOT NULL,
                priority         INTEGER NOT NULL,
                run_at           INTEGER NOT NULL,
                payload          BLOB    NOT NULL,
                unique_key       TEXT,
                attempt          INTEGER NOT NULL DEFAULT 0,
                max_attempts     INTEGER NOT NULL,
                timeout_ms       INTEGER NOT NULL,
                created_at       INTEGER NOT NULL,
                started_at       INTEGER,
                finished_at      INTEGER,
                lease_expires_at INTEGER,
                cancel_requested INTEGER NOT NULL DEFAULT 0,
                result           BLOB,
                errors           TEXT
            );
            CREATE INDEX gantry_jobs_fetch ON gantry_jobs (queue, priority DESC, run_at, id) WHERE state = 1;
            CREATE INDEX gantry_jobs_due ON gantry_jobs (run_at) WHERE state IN (0, 4);
            -- Not "WHERE state = 2": statements that update running jobs by id must never be tempted to scan this index
            -- (statistics on state are always stale); lease_expires_at is set exactly while a job runs.
            CREATE INDEX gantry_jobs_lease ON gantry_jobs (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
            CREATE INDEX gantry_jobs_finished ON gantry_jobs (state, finished_at) WHERE state IN (3, 5, 6);
            CREATE UNIQUE INDEX gantry_jobs_unique ON gantry_jobs (queue, unique_key)
                WHERE unique_key IS NOT NULL AND state IN (0, 1, 2, 4);
            CREATE TABLE gantry_queues (
                name       TEXT    PRIMARY KEY,
                paused     INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            """),
        (2, "recurring schedules and their fires", """
            CREATE TABLE gantry_recurring (
                name            TEXT    PRIMARY KEY,
                cron            TEXT    NOT NULL,
                time_zone       TEXT    NOT NULL,
                queue           TEXT    NOT NULL,
                payload         BLOB    NOT NULL,
                priority        INTEGER,
                max_attempts    INTEGER,
                timeout_ms      INTEGER,
                misfire         INTEGER NOT NULL,
                skip_if_running INTEGER NOT NULL,
                source          INTEGER NOT NULL,
                paused          INTEGER NOT NULL,
                next_fire_at    INTEGER,
                last_fire_at    INTEGER,
                last_job_id     INTEGER,
                created_at      INTEGER NOT NULL,
                updated_at      INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX gantry_recurring_due ON gantry_recurring (next_fire_at) WHERE paused = 0 AND next_fire_at IS NOT NULL;
            -- One row per tick acted on. The primary key is what makes a tick fire once, whatever the timers do.
            CREATE TABLE gantry_recurring_fires (
                schedule TEXT    NOT NULL,
                fire_at  INTEGER NOT NULL,
                outcome  INTEGER NOT NULL,
                job_id   INTEGER,
                fired_at INTEGER NOT NULL,
                PRIMARY KEY (schedule, fire_at)
            ) WITHOUT ROWID;
            CREATE INDEX gantry_recurring_fires_age ON gantry_recurring_fires (fire_at);
            """),
        (3, "queue lanes", """
            ALTER TABLE gantry_queues ADD COLUMN lane TEXT;
            """),
        (4, "topics, their messages, consumer groups", """
            CREATE TABLE gantry_topics (
                name              TEXT    PRIMARY KEY,
                epoch             TEXT    NOT NULL,
                last_seq          INTEGER NOT NULL DEFAULT 0,
                retain_count      INTEGER,
                retain_age_ms     INTEGER,
                max_message_bytes INTEGER,
                declared          INTEGER NOT NULL DEFAULT 0,
                created_at        INTEGER NOT NULL
            ) WITHOUT ROWID;
            -- seq is the message's offset (OFFSET is an SQL keyword). A rowid table: bodies may be large.
            CREATE TABLE gantry_messages (
                topic        TEXT    NOT NULL,
                seq          INTEGER NOT NULL,
                msg_id       TEXT    NOT NULL,
                content_type TEXT,
                headers      TEXT,
                body         BLOB    NOT NULL,
                published_at INTEGER NOT NULL,
                PRIMARY KEY (topic, seq)
            );
            CREATE INDEX gantry_messages_id ON gantry_messages (topic, msg_id);
            CREATE INDEX gantry_messages_time ON gantry_messages (topic, published_at);
            CREATE TABLE gantry_groups (
                topic          TEXT    NOT NULL,
                name           TEXT    NOT NULL,
                delivered_seq  INTEGER NOT NULL,
                ack_timeout_ms INTEGER NOT NULL,
                max_deliveries INTEGER NOT NULL,
                created_at     INTEGER NOT NULL,
                PRIMARY KEY (topic, name)
            ) WITHOUT ROWID;
            -- One row per message of a group not yet acked: state 0 waiting (deliverable at visible_at), 1 leased (until
            -- visible_at), 2 dead. A dead letter keeps a copy of its message, so retention pruning cannot lose it.
            CREATE TABLE gantry_group_deliveries (
                topic        TEXT    NOT NULL,
                grp          TEXT    NOT NULL,
                seq          INTEGER NOT NULL,
                attempt      INTEGER NOT NULL,
                state        INTEGER NOT NULL,
                member       TEXT,
                visible_at   INTEGER NOT NULL,
                published_at INTEGER NOT NULL,
                dead_at      INTEGER,
                msg_id       TEXT,
                content_type TEXT,
                headers      TEXT,
                body         BLOB,
                PRIMARY KEY (topic, grp, seq)
            );
            CREATE INDEX gantry_group_deliveries_due ON gantry_group_deliveries (topic, grp, visible_at) WHERE state < 2;
            """),
        (5, "topic lanes", """
            ALTER TABLE gantry_topics ADD COLUMN lane TEXT;
            """),
        (6, "webhooks and their cursors", """
            CREATE TABLE gantry_webhooks (
                name       TEXT    PRIMARY KEY,
                topic      TEXT    NOT NULL, -- a topic or a pattern
                url        TEXT    NOT NULL,
                secret     TEXT    NOT NULL,
                epoch      TEXT    NOT NULL, -- changes at each fresh start; delivery jobs of another epoch are skipped
                created_at INTEGER NOT NULL,
                updated_at INTEGER NOT NULL
            ) WITHOUT ROWID;
            -- Per webhook and topic: every offset up to last_offset of the topic's history topic_epoch was delivered or
            -- given up on. A topic deleted and created again has another epoch and offsets from 1: its cursor starts over
            -- ('' until a first delivery: a start at an offset of a topic that did not exist yet).
            CREATE TABLE gantry_webhook_cursors (
                webhook     TEXT    NOT NULL,
                topic       TEXT    NOT NULL,
                topic_epoch TEXT    NOT NULL,
                last_offset INTEGER NOT NULL,
                updated_at  INTEGER NOT NULL,
                PRIMARY KEY (webhook, topic)
            ) WITHOUT ROWID;
            """),
    ];

    public static void Migrate(SqliteConnection connection, DateTimeOffset now)
    {
        using (var create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE IF NOT EXISTS gantry_schema_migrations (
                    version     INTEGER PRIMARY KEY,
                    description TEXT    NOT NULL,
                    applied_at  INTEGER NOT NULL
                )
                """;
            create.ExecuteNonQuery();
        }

        using var begin = connection.CreateCommand();
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
        try
        {
            var applied = new HashSet<long>();
            using (var read = connection.CreateCommand())
            {
                read.CommandText = "SELECT version FROM gantry_schema_migrations";
                using var reader = read.ExecuteReader();
                while (reader.Read()) applied.Add(reader.GetInt64(0));
            }
            var known = Migrations.Max(m => m.Version);
            if (applied.Count > 0 && applied.Max() > known)
                throw new InvalidOperationException(
                    $"The database was migrated by a newer Gantry (schema version {applied.Max()}; this one knows up to {known}). Upgrade this server.");

            foreach (var (version, description, sql) in Migrations)
            {
                if (applied.Contains(version)) continue;
                using var step = connection.CreateCommand();
                step.CommandText = sql;
                step.ExecuteNonQuery();
                using var record = connection.CreateCommand();
                record.CommandText = "INSERT INTO gantry_schema_migrations (version, description, applied_at) VALUES ($v, $d, $t)";
                record.Parameters.AddWithValue("$v", version);
                record.Parameters.AddWithValue("$d", description);
                record.Parameters.AddWithValue("$t", SqliteTime.ToDb(now));
                record.ExecuteNonQuery();
            }
            using var commit = connection.CreateCommand();
            commit.CommandText = "COMMIT";
            commit.ExecuteNonQuery();
        }
        catch
        {
            using var rollback = connection.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
            throw;
        }
    }
}
