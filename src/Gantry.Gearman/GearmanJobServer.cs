using System.Buffers.Text;
using System.Text;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Memory;
using Gantry.Core.Queues;
using Gantry.Protocol.Gearman;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Gearman;

/// <summary>
/// The Gearman front's state, in the manner of gearmand: connections, functions and their workers, sleeping workers,
/// the clients attached to foreground jobs, and what each worker holds. The jobs themselves live in the engine: a
/// function's memory jobs in the memory lane (the same jobs, rules and job log as every other front's), its durable
/// jobs in the store. Every operation runs under one lock and is short (no I/O: packets go to outboxes that flush on
/// their own), so the lock is held for microseconds.
/// </summary>
/// <remarks>What stays here is what only Gearman has: attached foreground clients, forwarding a worker's WORK_DATA and
/// WORK_STATUS to them, coalescing clients by unique id onto one job, dropping a foreground job whose clients all left,
/// CAN_DO_TIMEOUT, sleeping workers and NOOP, and the admin protocol's views.</remarks>
internal sealed partial class GearmanJobServer : Core.Stats.IQueueWorkers
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, GearmanFunction> _functions = new(StringComparer.Ordinal);
    /// <summary>Records of the jobs this front is involved in, by job id (memory and store ids never collide).</summary>
    private readonly Dictionary<long, GearmanJob> _jobs = new();
    private readonly Dictionary<long, GearmanSession> _sessions = new();
    private readonly GearmanOptions _options;
    private readonly JobEngine _engine;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly byte[] _handlePrefix;
    private readonly FrontLimits _limits;
    private long _nextSession;

    public GearmanJobServer(IOptions<GearmanOptions> options, JobEngine engine, JobSignals signals, TimeProvider time,
        ILogger<GearmanJobServer> log)
    {
        _options = options.Value;
        _engine = engine;
        _time = time;
        _log = log;
        _limits = new FrontLimits(_options.MaxPacketBytes, "Gantry:Gearman:MaxPacketBytes");
        // gearmand's handles are H:<host>:<n>; clients treat them as opaque, gearadmin users read them.
        _handlePrefix = Encoding.ASCII.GetBytes($"H:{SafeHost()}:");
        signals.Observe(new Signals(this));
    }

    public GearmanOptions Options => _options;

    /// <summary>Set by the durable lane: told about jobs whose lease it must release, complete or fail.</summary>
    public IDurableReports? Durable { get; set; }

    /// <summary>Whether the function's background jobs go to the store: its queue's lane when one is set, else the
    /// function's own setting, else memory (gearmand's default).</summary>
    public bool IsDurable(string function) => _engine.Settings.LaneSetFor(function) switch
    {
        QueueLanes.Durable => true,
        QueueLanes.Memory => false,
        _ => _options.For(function).Lane == GearmanLane.Durable,
    };

    /// <summary><see cref="IsDurable(string)"/>, worked out again only when the queue settings changed (every grab asks).</summary>
    private bool IsDurable(GearmanFunction function)
    {
        var version = _engine.Settings.Version;
        if (function.LaneVersion != version)
        {
            function.Durable = IsDurable(function.Name);
            function.LaneVersion = version;
        }
        return function.Durable;
    }

    public GearmanSession Open(string host, GearmanOutbox output)
    {
        lock (_gate)
        {
            var session = new GearmanSession(++_nextSession, host, output);
            _sessions.Add(session.Id, session);
            return session;
        }
    }

    /// <summary>The connection ended: its workers' jobs go back to their queues, its foreground jobs lose a listener.</summary>
    public void Close(GearmanSession session)
    {
        List<(LeaseRef Lease, string Why)>? releases = null;
        lock (_gate)
        {
            if (session.Closed) return;
            session.Closed = true;
            _sessions.Remove(session.Id);
            var abilities = session.Abilities.ToArray();
            foreach (var ability in abilities) ability.Function.Workers.Remove(session);
            session.Abilities.Clear();
            session.AbilitiesChanged();
            foreach (var job in session.Assigned.ToArray()) GiveBackLocked(job, "the Gearman worker disconnected", ref releases);
            session.Assigned.Clear();
            foreach (var ability in abilities) Orphans(ability.Function, ref releases);
            foreach (var job in session.Waiting.ToArray())
            {
                job.Clients?.Remove(session);
                if (job.Clients is { Count: > 0 }) continue;
                job.Clients = null;
                // Nobody waits for this foreground job any more: drop it if no worker has it yet (gearmand does the
                // same); a running one finishes and its result goes nowhere.
                if (job.IsQueued && !job.Durable && _engine.StateOfMemoryJob(job.Id) is JobState.Available or JobState.Scheduled)
                {
                    _engine.CancelInMemory(job.Id);
                    Forget(job);
                }
            }
            session.Waiting.Clear();
            foreach (var ability in abilities) ForgetIfIdle(ability.Function);
        }
        Release(releases);
    }

    /// <summary>A job whose worker left goes back to its queue, first in line (it was first before), the attempt not
    /// counted: gearmand requeues it the same way.</summary>
    private void GiveBackLocked(GearmanJob job, string why, ref List<(LeaseRef Lease, string Why)>? releases)
    {
        StopRunning(job);
        job.Requeues++;
        if (job.Durable)
        {
            (releases ??= []).Add((job.Lease, why));
            Forget(job);
            return;
        }
        _engine.FailInMemory(new Failure(job.Lease.Id, job.Lease.Attempt, FailureKind.Released, why));
        // The record stays until the job ends (it counts the requeues and keeps the clients attached), so it must hear
        // that end whoever brings it.
        _engine.FollowMemoryJob(job.Id);
        job.Stage = JobStage.Queued;
    }

    // ---- functions and workers ----------------------------------------------------------------------------

    /// <summary>The function, created on first use; null (with the error to send) when the server knows as many
    /// function names as it may.</summary>
    private GearmanFunction? FunctionFor(string name, out GearmanProtocolError? refused)
    {
        refused = null;
        if (_functions.TryGetValue(name, out var function)) return function;
        if (_functions.Count >= _options.MaxFunctions)
        {
            refused = new GearmanProtocolError("QUEUE_ERROR",
                $"the server already knows {_functions.Count} function names, its limit (Gantry:Gearman:MaxFunctions)");
            return null;
        }
        function = new GearmanFunction(name, _options.For(name));
        _functions.Add(name, function);
        return function;
    }

    /// <summary>A function with no worker, no job and no limit set is forgotten: names used once cost nothing.</summary>
    private void ForgetIfIdle(GearmanFunction function)
    {
        if (function.Workers.Count > 0 || function.DurableQueued > 0 || function.DurableRunning > 0 || function.HasLimits) return;
        if (_engine.Memory.HasLiveJobs(function.Name)) return;
        if (_functions.TryGetValue(function.Name, out var current) && current == function) _functions.Remove(function.Name);
    }

    /// <summary>Whether a Gearman worker can do the function now, so its queue's statistics are kept while it waits.</summary>
    public bool HasWorkers(string queue)
    {
        lock (_gate) return _functions.TryGetValue(queue, out var function) && function.Workers.Count > 0;
    }

    public GearmanProtocolError? CanDo(GearmanSession session, string function, TimeSpan timeout)
    {
        lock (_gate)
        {
            var f = FunctionFor(function, out var refused);
            if (f is null) return refused;
            var index = session.Abilities.FindIndex(a => a.Function == f);
            if (index >= 0)
            {
                session.Abilities[index] = new Ability(f, timeout);
                return null;
            }
            session.Abilities.Add(new Ability(f, timeout));
            session.AbilitiesChanged();
            f.Workers.Add(session);
        }
        return null;
    }

    public void CantDo(GearmanSession session, string function)
    {
        List<(LeaseRef Lease, string Why)>? releases = null;
        lock (_gate)
        {
            if (!_functions.TryGetValue(function, out var f)) return;
            session.Abilities.RemoveAll(a => a.Function == f);
            session.AbilitiesChanged();
            f.Workers.Remove(session);
            Orphans(f, ref releases);
            ForgetIfIdle(f);
        }
        Release(releases);
    }

    public void ResetAbilities(GearmanSession session)
    {
        List<(LeaseRef Lease, string Why)>? releases = null;
        lock (_gate)
        {
            var abilities = session.Abilities.ToArray();
            foreach (var a in abilities) a.Function.Workers.Remove(session);
            session.Abilities.Clear();
            session.AbilitiesChanged();
            foreach (var a in abilities)
            {
                Orphans(a.Function, ref releases);
                ForgetIfIdle(a.Function);
            }
        }
        Release(releases);
    }

    /// <summary>Durable jobs leased ahead for a function whose last worker just left go back to the store, where other
    /// servers and HTTP workers can have them.</summary>
    private void Orphans(GearmanFunction function, ref List<(LeaseRef Lease, string Why)>? releases)
    {
        if (function.Workers.Count > 0 || function.DurableQueued == 0) return;
        foreach (var lease in TakeQueuedDurable(function)) (releases ??= []).Add((lease, "no Gearman worker of the function is connected"));
    }

    private void Release(List<(LeaseRef Lease, string Why)>? releases)
    {
        if (releases is not null) foreach (var (lease, why) in releases) Durable?.Release(lease, why);
    }

    /// <summary>PRE_SLEEP: wake the worker at once if work is already waiting (it may have arrived since its NO_JOB).</summary>
    public void PreSleep(GearmanSession session)
    {
        lock (_gate)
        {
            FinishAbandonedExceptions(session);
            if (session.AbilityNames.Length > 0 && _engine.Memory.AnyAvailable(session.AbilityNames) ||
                session.Abilities.Exists(a => a.Function.DurableQueued > 0))
            {
                session.Sleeping = false;
                session.Out.Send(GearmanPacketType.Noop);
                return;
            }
            if (DurableGeneration(session) != session.GrabGeneration)
            {
                // The store signalled jobs after this worker's last look: it would sleep through them.
                session.Out.Send(GearmanPacketType.Noop);
                return;
            }
            session.Sleeping = true;
        }
    }

    private long DurableGeneration(GearmanSession session)
    {
        long sum = 0;
        foreach (var a in session.Abilities)
            if (IsDurable(a.Function)) sum += a.Function.WakeGeneration;
        return sum;
    }

    /// <summary>Jobs became available in a queue (either lane, any front, this server or another): wake the function's
    /// sleeping workers; each gets one NOOP per sleep, as gearmand does.</summary>
    private void QueueHasJobs(string queue)
    {
        lock (_gate)
        {
            if (!_functions.TryGetValue(queue, out var function) || function.Workers.Count == 0) return;
            function.WakeGeneration++;
            WakeSleepersLocked(function);
        }
    }

    private static void WakeSleepersLocked(GearmanFunction function)
    {
        foreach (var worker in function.Workers)
        {
            if (!worker.Sleeping) continue;
            worker.Sleeping = false;
            worker.Out.Send(GearmanPacketType.Noop);
        }
    }

    /// <summary>The worker's durable functions, starting one further each time so none starves; empty (no allocation)
    /// for the usual worker of memory functions only.</summary>
    public IReadOnlyList<GearmanFunction> DurableAbilities(GearmanSession session)
    {
        lock (_gate)
        {
            var count = session.Abilities.Count;
            List<GearmanFunction>? list = null;
            for (var i = 0; i < count; i++)
            {
                var a = session.Abilities[(i + session.DurableCursor) % count];
                if (IsDurable(a.Function)) (list ??= []).Add(a.Function);
            }
            if (list is null) return [];
            session.DurableCursor++;
            return list;
        }
    }

    // ---- handles --------------------------------------------------------------------------------------------

    /// <summary>H:host:N for a memory job, H:host:dN for a stored one (the ids never collide; the letter says which
    /// lane at a glance in gearadmin's listings).</summary>
    public byte[] Handle(long id, bool durable)
    {
        Span<byte> digits = stackalloc byte[21];
        Utf8Formatter.TryFormat(id, digits, out var written);
        var handle = new byte[_handlePrefix.Length + (durable ? 1 : 0) + written];
        _handlePrefix.CopyTo(handle, 0);
        if (durable) handle[_handlePrefix.Length] = (byte)'d';
        digits[..written].CopyTo(handle.AsSpan(handle.Length - written));
        return handle;
    }

    /// <summary>Reads a handle this server issued: the job's id, and whether it names a stored job.</summary>
    public bool TryParseHandle(ReadOnlySpan<byte> handle, out long id, out bool durable)
    {
        id = 0;
        durable = false;
        if (!handle.StartsWith(_handlePrefix)) return false;
        var rest = handle[_handlePrefix.Length..];
        if (rest.Length > 0 && rest[0] == (byte)'d')
        {
            durable = true;
            rest = rest[1..];
        }
        if (!(rest.Length > 0 && Utf8Parser.TryParse(rest, out id, out var used) && used == rest.Length && id > 0)) return false;
        return durable != MemoryJobIds.IsMemory(id);
    }

    private GearmanJob? JobByHandle(ReadOnlySpan<byte> handle) =>
        TryParseHandle(handle, out var id, out _) ? _jobs.GetValueOrDefault(id) : null;

    private static string SafeHost()
    {
        var host = Environment.MachineName;
        var clean = new StringBuilder(host.Length);
        foreach (var c in host) clean.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_');
        return clean.Length == 0 ? "gantry" : clean.ToString();
    }

    /// <summary>What the engine announces, as this front needs it: woken workers, and the end of jobs that Gearman
    /// clients wait for but something else finished (an HTTP worker, a cancel, another server's store).</summary>
    private sealed class Signals(GearmanJobServer server) : IJobSignalObserver
    {
        public void JobsAvailable(string queue) => server.QueueHasJobs(queue);

        public void JobsFinished(IReadOnlyList<long> ids) => server.FinishedElsewhere(ids);

        public void EverythingMayHaveChanged() => server.WakeEverySleeper();
    }
}

/// <summary>What the job server tells the durable lane (implemented by <see cref="DurableLane"/>).</summary>
internal interface IDurableReports
{
    void Complete(LeaseRef lease, ReadOnlyMemory<byte> result);
    /// <summary>The store applies the function's attempts (Retries + 1) and the queue's backoff.</summary>
    void Fail(LeaseRef lease, string message);
    void Release(LeaseRef lease, string why);
}
