using System.Net.Sockets;
using Gantry.Core.Storage;
using Npgsql;
using Polly;
using Polly.Retry;

namespace Gantry.Storage.Postgres;

/// <summary>
/// How every operation of the PostgreSQL store reaches the database: a failure to reach it becomes a
/// <see cref="StoreUnavailableException"/> (callers are told to retry, the outage is logged once by
/// <see cref="StoreHealth"/>), and an operation that is safe to repeat gets one more try when it met a broken
/// connection, which is what a pooled connection is after the database restarted.
/// </summary>
internal sealed class PostgresCalls(StoreHealth? health)
{
    /// <summary>The one retry: at once, only for a connection that broke or could not be made.</summary>
    private static readonly ResiliencePipeline Retry = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = 1,
            Delay = TimeSpan.Zero,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsUnreachable),
        })
        .Build();

    public const string StoreName = "postgresql";

    /// <summary>Runs an operation that must not run twice (an insert, a completion): no retry.</summary>
    public async Task<T> Once<T>(Func<CancellationToken, Task<T>> operation, CancellationToken ct)
    {
        try
        {
            var result = await operation(ct).ConfigureAwait(false);
            health?.Reachable(StoreName);
            return result;
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            throw Unavailable(ex);
        }
    }

    /// <summary>Runs an operation whose repetition does no harm (a read, a lease, a heartbeat), once more if the first
    /// try met a broken connection.</summary>
    public async Task<T> Safe<T>(Func<CancellationToken, Task<T>> operation, CancellationToken ct)
    {
        try
        {
            var result = await Retry.ExecuteAsync(static async (op, token) => await op(token).ConfigureAwait(false), operation, ct)
                .ConfigureAwait(false);
            health?.Reachable(StoreName);
            return result;
        }
        catch (Exception ex) when (IsUnreachable(ex))
        {
            throw Unavailable(ex);
        }
    }

    public async Task Once(Func<CancellationToken, Task> operation, CancellationToken ct) =>
        await Once(async token => { await operation(token).ConfigureAwait(false); return true; }, ct).ConfigureAwait(false);

    private StoreUnavailableException Unavailable(Exception ex)
    {
        var unavailable = new StoreUnavailableException(StoreName, Reason(ex), ex);
        health?.Unreachable(unavailable);
        return unavailable;
    }

    /// <summary>The database could not be reached, or the connection to it broke: not a fault of the statement.</summary>
    public static bool IsUnreachable(Exception ex) => ex switch
    {
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) ||
                               p.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
                                   or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections,
        NpgsqlException n => n.IsTransient || n.InnerException is SocketException or IOException or TimeoutException,
        SocketException => true,
        _ => false,
    };

    /// <summary>What the operator needs to know, in one line: the database's own words, or the socket's.</summary>
    public static string Reason(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case PostgresException p: return $"{p.MessageText} ({p.SqlState})";
                case SocketException s: return s.Message;
            }
        }
        return ex.Message;
    }
}
