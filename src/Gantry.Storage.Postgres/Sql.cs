using Npgsql;

namespace Gantry.Storage.Postgres;

/// <summary>Small helpers that keep the statement code about SQL rather than about Npgsql's parameter plumbing.</summary>
internal static class Sql
{
    public static NpgsqlParameter<T> P<T>(T value) => new() { TypedValue = value };

    public static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.AddRange(parameters);
        return cmd;
    }

    public static NpgsqlCommand Command(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, params NpgsqlParameter[] parameters)
    {
        var cmd = new NpgsqlCommand(sql, conn, tx);
        cmd.Parameters.AddRange(parameters);
        return cmd;
    }

    public static DateTimeOffset Utc(DateTimeOffset time) => time.ToUniversalTime();

    public static DateTimeOffset? ReadTime(NpgsqlDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) ? null : r.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>True for errors that a retry of the same transaction cures (deadlock, serialization failure).</summary>
    public static bool IsTransient(Exception ex) =>
        ex is PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    /// <summary>Runs <paramref name="work"/> again (up to a few times) when PostgreSQL aborts it for a deadlock or
    /// serialization conflict; such aborts roll back everything, so trying again is safe.</summary>
    public static async Task<T> Retrying<T>(Func<Task<T>> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await work().ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < 5 && IsTransient(ex))
            {
                await Task.Delay(attempt * 5).ConfigureAwait(false);
            }
        }
    }
}
