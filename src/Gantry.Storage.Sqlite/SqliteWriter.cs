using System.Threading.Channels;
using Gantry.Core.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// The one thread that writes. Callers queue commands; the thread takes every command waiting (up to a
/// limit), runs them in one transaction, commits once, then answers all callers: group commit, so durable
/// writes cost one fsync per batch instead of one per caller. Each command runs under its own savepoint,
/// so one bad command fails alone.
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private readonly Channel<WriteCommand> _commands = Channel.CreateUnbounded<WriteCommand>(
        new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _connection;
    private readonly SqliteWrites _writes;
    private readonly INotifier _notifier;
    private readonly int _maxPerCommit;
    private readonly ILogger _log;
    private readonly Thread _thread;
    private readonly List<WriteCommand> _batch = [];
    private readonly bool _fsyncEachCommit;
    private bool _fsyncing;

    public SqliteWriter(SqliteConnection connection, SqliteWrites writes, INotifier notifier, int maxPerCommit, bool fsyncEachCommit, ILogger log)
    {
        (_connection, _writes, _notifier, _maxPerCommit, _fsyncEachCommit, _log) = (connection, writes, notifier, maxPerCommit, fsyncEachCommit, log);
        _fsyncing = fsyncEachCommit;
        _thread = new Thread(Run) { IsBackground = true, Name = "gantry-sqlite-writer" };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the writer thread inside the next group commit; completes after the commit.</summary>
    /// <param name="work">The write.</param>
    /// <param name="durable">False for writes whose loss in a power cut is harmless (granting and extending leases: a lost
    /// lease only means the job runs again, which at-least-once allows). A commit holding only such writes skips the
    /// fsync; the next durable commit's fsync covers them, so order is kept.</param>
    public Task<T> Run<T>(Func<SqliteWrites, T> work, bool durable = true)
    {
        var command = new WriteCommand<T>(work, durable);
        if (!_commands.Writer.TryWrite(command))
            return Task.FromException<T>(new ObjectDisposedException(nameof(SqliteWriter), "The SQLite store is shut down."));
        return command.Task;
    }

    private void Run()
    {
        var reader = _commands.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (_batch.Count < _maxPerCommit && reader.TryRead(out var command)) _batch.Add(command);
            try
            {
                CommitBatch();
            }
            catch (Exception ex)
            {
                // The commit itself failed (disk full, I/O error): nothing in the batch is durable, so nobody gets success.
                _log.LogError(ex, "SQLite commit of {Count} commands failed", _batch.Count);
                foreach (var c in _batch) c.Fail(ex);
            }
            _batch.Clear();
        }
    }

    private void CommitBatch()
    {
        if (_fsyncEachCommit)
        {
            var fsync = _batch.Exists(c => c.Durable);
            if (fsync != _fsyncing)
            {
                // In WAL mode FULL syncs the log at every commit, NORMAL only before checkpoints; both keep the file consistent.
                Exec(fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
                _fsyncing = fsync;
            }
        }
        _writes.BeginBatch();
        Exec("BEGIN IMMEDIATE");
        try
        {
            foreach (var command in _batch)
            {
                var savepoint = _batch.Count > 1;
                if (savepoint) Exec("SAVEPOINT c");
                _writes.BeginCommand();
                try
                {
                    command.Execute(_writes);
                    if (savepoint) Exec("RELEASE c");
                    _writes.KeepCommandSignals();
                }
                catch (Exception ex)
                {
                    if (savepoint)
                    {
                        Exec("ROLLBACK TO c");
                        Exec("RELEASE c");
                    }
                    _writes.ForgetCaches();
                    command.Fail(ex);
                }
            }
            Exec("COMMIT");
        }
        catch
        {
            if (!_connection.AutoCommit()) Exec("ROLLBACK");
            throw;
        }
        // Only now is the work durable: answer the callers and wake whoever waits for these changes.
        foreach (var command in _batch) command.Complete();
        _writes.Announce(_notifier);
    }

    private void Exec(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _commands.Writer.TryComplete();
        _thread.Join();
    }

    private abstract class WriteCommand(bool durable)
    {
        public bool Durable { get; } = durable;

        public abstract void Execute(SqliteWrites writes);
        public abstract void Complete();
        public abstract void Fail(Exception ex);
    }

    private sealed class WriteCommand<T>(Func<SqliteWrites, T> work, bool durable) : WriteCommand(durable)
    {
        private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private bool _failed;

        public Task<T> Task => _done.Task;

        public override void Execute(SqliteWrites writes) => _result = work(writes);

        public override void Complete()
        {
            if (!_failed) _done.TrySetResult(_result!);
        }

        public override void Fail(Exception ex)
        {
            _failed = true;
            _done.TrySetException(ex);
        }
    }
}

internal static class SqliteConnectionExtensions
{
    /// <summary>True outside a transaction (SQLite's autocommit mode).</summary>
    public static bool AutoCommit(this SqliteConnection connection)
    {
        // There is no direct probe in Microsoft.Data.Sqlite; BEGIN inside a transaction fails, so ask the C API instead.
        return SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0;
    }
}
