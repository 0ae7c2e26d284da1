using System.Text;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Gearman;

/// <summary>
/// gearmand's administrative text protocol on the Gearman port, in gearmand's output format so gearadmin and
/// monitoring scripts work unchanged. Durable functions report their store queue's jobs as well as the ones in memory.
/// </summary>
internal sealed class GearmanAdmin(GearmanJobServer server, JobEngine engine, IOptions<GearmanOptions> options,
    ILogger<GearmanAdmin> log)
{
    private const string Ok = "OK\r\n";
    private const string UnknownCommand = "ERR UNKNOWN_COMMAND Unknown+server+command\r\n";
    private const string WritesDisabled = "ERR PERMISSION_DENIED admin+commands+that+change+state+are+disabled+(Gantry:Gearman:AdminWrites)\r\n";
    private readonly GearmanOptions _options = options.Value;

    public async Task HandleAsync(GearmanSession session, string line, CancellationToken ct)
    {
        var words = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        string reply;
        try
        {
            reply = await ReplyAsync(words, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            log.LogWarning(ex, "Gearman admin command '{Command}' failed", words.FirstOrDefault());
            reply = "ERR UNKNOWN_ERROR\r\n";
        }
        session.Out.SendText(reply);
    }

    private async Task<string> ReplyAsync(string[] words, CancellationToken ct)
    {
        if (words.Length == 0) return UnknownCommand;
        bool Is(int i, string word) => words.Length > i && words[i].Equals(word, StringComparison.OrdinalIgnoreCase);
        switch (words[0].ToLowerInvariant())
        {
            case "workers":
                return server.WorkersText();
            case "status":
                return Table(await CountsAsync(ct).ConfigureAwait(false), c => $"{c.Name}\t{c.Total}\t{c.Running}\t{c.Workers}");
            case "prioritystatus":
                return Table(await CountsAsync(ct).ConfigureAwait(false), c => $"{c.Name}\t{c.High}\t{c.Normal}\t{c.Low}\t{c.Workers}");
            case "show" when Is(1, "jobs") && words.Length == 2:
                return server.JobsText();
            case "show" when Is(1, "unique") && Is(2, "jobs") && words.Length == 3:
                return server.UniqueJobsText();
            case "show":
                return "ERR UNKNOWN_SHOW_ARGUMENTS\r\n";
            case "getpid":
                return $"OK {Environment.ProcessId}\n";
            case "version":
                return $"OK {typeof(GearmanAdmin).Assembly.GetName().Version?.ToString(3) ?? "0"}\n";
            case "verbose":
                return "OK INFO\n";
        }

        // Everything below changes state.
        if (!_options.AdminWrites) return WritesDisabled;
        switch (words[0].ToLowerInvariant())
        {
            case "cancel" when Is(1, "job") && words.Length == 3:
                return await CancelAsync(words[2], ct).ConfigureAwait(false);
            case "maxqueue" when words.Length >= 2:
            {
                int Size(int i) => words.Length > i && int.TryParse(words[i], out var n) ? Math.Max(0, n) : 0;
                var (high, normal, low) = words.Length >= 5 ? (Size(2), Size(3), Size(4)) : (Size(2), Size(2), Size(2));
                return server.SetMaxQueue(words[1], high, normal, low);
            }
            case "create" when Is(1, "function") && words.Length == 3:
                return server.CreateFunction(words[2]);
            case "drop" when Is(1, "function") && words.Length == 3:
                return server.DropFunction(words[2]);
            case "cancel" or "maxqueue" or "create" or "drop":
                return $"ERR INVALID_ARGUMENTS An+incomplete+set+of+arguments+was+sent+to+this+command+{words[0]}\r\n";
            case "shutdown":
                // gearmand stops here; Gantry serves HTTP and durable queues too, so it stops only through its own lifecycle.
                return "ERR NOT_SUPPORTED stop+Gantry+with+SIGTERM+or+Ctrl-C\r\n";
            default:
                return UnknownCommand;
        }
    }

    private async Task<string> CancelAsync(string handle, CancellationToken ct)
    {
        var bytes = Encoding.ASCII.GetBytes(handle);
        switch (server.CancelMemoryJob(bytes))
        {
            case CancelResult.Cancelled: return Ok;
            case CancelResult.Running: return "ERR JOB_RUNNING a+worker+runs+this+job+already\r\n";
        }
        if (server.TryParseHandle(bytes, out var id, out var durable) && durable)
        {
            var (outcome, _) = await engine.CancelAsync(id, ct).ConfigureAwait(false);
            if (outcome == CancelOutcome.Cancelled) return Ok;
            if (outcome == CancelOutcome.CancelRequested) return "ERR JOB_RUNNING a+worker+runs+this+job+already\r\n";
        }
        return "ERR UNKNOWN_JOB\r\n";
    }

    /// <summary>Memory counts, plus each durable function's store queue (jobs there that no Gearman worker holds).</summary>
    private async Task<List<FunctionCounts>> CountsAsync(CancellationToken ct)
    {
        var counts = server.Counts();
        var durable = _options.Functions.Keys.Concat(engine.Settings.All.Select(s => s.Name)).Where(server.IsDurable)
            .ToHashSet(StringComparer.Ordinal);
        if (durable.Count == 0 && !counts.Exists(c => c.Durable)) return counts;

        IReadOnlyList<QueueSummary> queues = [];
        // The store's own counts: the merged list already holds this lane's memory counts, which are added below.
        try { queues = await engine.ListStoredQueuesAsync(ct).ConfigureAwait(false); }
        catch (Exception ex) when (ex is not OperationCanceledException) { log.LogWarning(ex, "Reading queue counts for the Gearman admin failed"); }
        var byName = queues.ToDictionary(q => q.Name, StringComparer.Ordinal);
        foreach (var name in durable.Where(n => !counts.Exists(c => c.Name == n)))
            counts.Add(new FunctionCounts(name, true, 0, 0, 0, 0, 0, 0, 0, 0));
        for (var i = 0; i < counts.Count; i++)
        {
            var c = counts[i];
            if (!c.Durable || !byName.TryGetValue(c.Name, out var q)) continue;
            long N(JobState s) => q.Counts.GetValueOrDefault(s);
            // Jobs leased for Gearman workers are "running" in the store and already counted in memory (running or queued).
            var storeRunning = (int)Math.Max(0, N(JobState.Running) - c.DurableRunning - c.DurableQueued);
            counts[i] = c with
            {
                Normal = c.Normal + (int)N(JobState.Available),
                Scheduled = c.Scheduled + (int)(N(JobState.Scheduled) + N(JobState.Failed)),
                Running = c.Running + storeRunning,
            };
        }
        counts.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return counts;
    }

    private static string Table(List<FunctionCounts> counts, Func<FunctionCounts, string> line)
    {
        var text = new StringBuilder();
        foreach (var c in counts) text.Append(line(c)).Append('\n');
        return text.Append(".\n").ToString();
    }
}
