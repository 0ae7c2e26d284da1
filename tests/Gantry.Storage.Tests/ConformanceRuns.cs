using Xunit;

namespace Gantry.Storage.Tests;

// Each conformance suite against each back end it applies to: one class per pair, so a failure names both.

public sealed class SqliteJobStoreConformance() : JobStoreConformance(new SqliteDriver());

public sealed class PostgresJobStoreConformance(PostgresDatabaseFixture db) : JobStoreConformance(new PostgresDriver(db)),
    IClassFixture<PostgresDatabaseFixture>;

public sealed class SqliteRecurringConformance() : RecurringConformance(new SqliteDriver());

public sealed class PostgresRecurringConformance(PostgresDatabaseFixture db) : RecurringConformance(new PostgresDriver(db)),
    IClassFixture<PostgresDatabaseFixture>;

public sealed class MemoryJobStoreConformance() : JobStoreConformance(new MemoryDriver());

public sealed class SqliteTopicConformance() : TopicConformance(new SqliteDriver());

public sealed class PostgresTopicConformance(PostgresDatabaseFixture db) : TopicConformance(new PostgresDriver(db)),
    IClassFixture<PostgresDatabaseFixture>;

public sealed class SqliteWebhookConformance() : WebhookConformance(new SqliteDriver());

public sealed class PostgresWebhookConformance(PostgresDatabaseFixture db) : WebhookConformance(new PostgresDriver(db)),
    IClassFixture<PostgresDatabaseFixture>;
