using System.Runtime.InteropServices;
using Gantry.Core.Jobs;
using Gantry.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Gantry.Storage.Sqlite;

/// <summary>
/// Every write of the embedded store, run only on the writer thread (<see cref="SqliteWriter"/>); the operations are in
/// one file per concern (Jobs/, Queues/, Recurring/), named as the ports name them. Hot statements are prepared once and
/// reused. Each operation notes in a <see cref="ChangeSet"/> what the commit will announce.
/// </summary>
internal sealed partial class SqliteWrites : IDisposable
{
    private readonly SqliteConnection _db;
    private readonly HashSet<string> _knownQueues = new(StringComparer.Ordinal);
    private readonly HashSet<string> _pausedQueues = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    /// <summary>What the whole group commit changed.</summary>
    private readonly ChangeSet _batch = new();
    /// <summary>What the command running now changed; kept only if its savepoint is released.</summary>
    private readonly ChangeSet _command = new();

    public SqliteWrites(SqliteConnection db)
    {
        _db = db;
        LoadPausedQueues();
    }

    // ---- announcements ----------------------------------------------------------------------------------

    public void BeginBatch() => _batch.Clear();

    public void BeginCommand() => _command.Clear();

    /// <summary>The command committed to its savepoint: keep what it will announce.</summary>
    public void KeepCommandSignals() => _batch.Add(_command);

    /// <summary>After the commit: tell whoever waits for these changes.</summary>
    public void Announce(INotifier notifier)
    {
        if (!_batch.IsEmpty) notifier.Announce(_batch);
    }

    /// <summary>A command was rolled back: forget cached facts it may have changed.</summary>
    public void ForgetCaches()
    {
        _knownQueues.Clear();
        _topics.Clear();
        LoadPausedQueues();
    }

    private void NoteState(string queue, JobState state, DateTimeOffset runAt, long id)
    {
        if (state == JobState.Available) _command.JobsAvailable(queue);
        else if (state is JobState.Scheduled or JobState.Failed) _command.JobDue(runAt);
        else if (state.IsFinished()) _command.JobFinished(id);
    }

    // ---- plumbing ---------------------------------------------------------------------------------------

    private void LoadPausedQueues()
    {
        _pausedQueues.Clear();
        using var cmd = _db.CreateCommand();
        cmd.CommandText = "SELECT name FROM gantry_queues WHERE paused = 1";
        using var r = cmd.ExecuteReader();
        while (r.Read()) _pausedQueues.Add(r.GetString(0));
    }

    /// <summary>A statement prepared on first use and kept: parameters are declared from the <c>$name</c>s in the text.</summary>
    private SqliteCommand Prepared(string sql)
    {
        if (_prepared.TryGetValue(sql, out var cmd)) return cmd;
        cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(sql, @"\$[a-z_]+"))
        {
            if (!cmd.Parameters.Contains(m.Value)) cmd.Parameters.Add(new SqliteParameter(m.Value, null));
        }
        cmd.Prepare();
        _prepared.Add(sql, cmd);
        return cmd;
    }

    /// <summary>The bytes as an array, without copying when the memory already is a whole array.</summary>
    internal static byte[] Bytes(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();

    public void Dispose()
    {
        foreach (var cmd in _prepared.Values) cmd.Dispose();
        _prepared.Clear();
    }
}
