using Gantry.Core.Engine;
using Gantry.Storage.Postgres;
using Gantry.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;
using Xunit;

namespace Gantry.Storage.Tests;

/// <summary>
/// A migration waits for another session's migration lock; the operator must be told what it waits for (and who holds
/// the lock), not left with a command that seems to hang.
/// </summary>
public sealed class PostgresMigrationLockTests
{
    private const long MigrationLockKey = 0x47414E5452590001;

    [Fact]
    public async Task A_migration_that_waits_for_the_lock_says_who_holds_it_and_goes_on_once_it_is_free()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var holder = new NpgsqlConnection(database.ConnectionString);
        await holder.OpenAsync();
        await using var held = await holder.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({MigrationLockKey})", holder, held)) await take.ExecuteNonQueryAsync();
        int holderPid;
        await using (var pid = new NpgsqlCommand("SELECT pg_backend_pid()", holder, held)) holderPid = (int)(await pid.ExecuteScalarAsync())!;

        var logs = new WarningLog();
        await using var store = new PostgresStore(Microsoft.Extensions.Options.Options.Create(new PostgresStoreOptions { ConnectionString = database.ConnectionString }),
            new JobSignals(), TimeProvider.System, logs);
        var migrating = store.MigrateAsync(default);

        var warning = await logs.First.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains("Waiting for another Gantry server's migration", warning);
        Assert.Contains($"backend {holderPid}", warning);
        Assert.False(migrating.IsCompleted);

        await held.CommitAsync();
        await migrating.WaitAsync(TimeSpan.FromSeconds(30));
        await using var check = new NpgsqlConnection(database.ConnectionString);
        await check.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM gantry_schema_migrations", check);
        Assert.True((long)(await count.ExecuteScalarAsync())! > 0);
    }

    private sealed class WarningLog : ILogger<PostgresStore>
    {
        public readonly TaskCompletionSource<string> First = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning) First.TrySetResult(formatter(state, exception));
        }
    }
}
