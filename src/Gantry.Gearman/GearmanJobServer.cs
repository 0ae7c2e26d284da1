using Gantry.Core.Stats;
using System.Buffers.Text;
using System.Text;
using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Gantry.Protocol.Gearman;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Gearman;

/// <summary>
/// The in-memory lane: functions, their three priority queues, workers and waiting clients, in the manner of gearmand.
/// Every operation runs under one lock and is short (no I/O: packets are appended to outboxes that flush on their
/// own), so the lock is held for microseconds. Durable jobs enter here once leased from the store for Gearman workers.
/// </summary>
internal sealed partial class GearmanJobServer
{
    private readonly object _gate = new();
    private readonly Dictionary<string, GearmanFunction> _functions = new(StringComparer.Ordinal);
    private readonly Dictionary<long, GearmanJob> _memoryJobs = new();
    private readonly Dictionary<long, GearmanJob> _durableJobs = new();
    private readonly Dictionary<long, GearmanSession> _sessions = new();
    private readonly GearmanOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly RetryPolicy _retry;
    private readonly byte[] _handlePrefix;
    private long _nextSeq;
    private long _nextSession;
    private int _memoryJobCount;
    private readonly JobLog? _jobLog;

    public GearmanJobServer(IOptions<GearmanOptions> options, TimeProvider time, ILogger<GearmanJobServer> log, JobLog? jobLog = null)
    {
        _jobLog = jobLog;
        _options = options.Value;
        _time = time;
        _log = log;
        _retry = new RetryPolicy(new RetryOptions { BaseDelay = _options.RetryBaseDelay, MaxDelay = _options.RetryMaxDelay, Jitter = 0.2 });
        // gearmand's handles are H:<host>:<n>; clients treat them as opaque, gearadmin users read them.
        _handlePrefix = Encoding.ASCII.GetBytes($"H:{SafeHost()}:");
        _schedule = new PriorityQueue<GearmanJob, (DateTimeOffset, long)>();
    }

    public GearmanOptions Options => _options;

    /// <summary>Set by the durable lane: told about jobs whose lease it must release, complete or fail.</summary>
    public IDurableReports? Durable { get; set; }

    public GearmanSession Open(string host, GearmanOutbox output)
    {
        lock (_gate)
        {
            var session = new GearmanSession(++_nextSession, host, output);
            _sessions.Add(session.Id, session);
            return session;
        }
    }

    /// <summary>The connection ended: its workers' jobs go back to the queue, its foreground jobs lose a listener.</summary>
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
            foreach (var job in session.Assigned.ToArray())
            {
                if (job.Durable is { } lease)
                {
                    (releases ??= []).Add((lease, "the Gearman worker disconnected"));
                    Forget(job);
                }
                else
                {
                    Requeue(job);
                }
            }
            session.Assigned.Clear();
            foreach (var ability in abilities) Orphans(ability.Function, ref releases);
            foreach (var job in session.Waiting)
            {
                job.Clients?.Remove(session);
                if (job.Background || job.Clients is { Count: > 0 }) continue;
                // Nobody waits for this foreground job any more: drop it if no worker has it yet (gearmand does the
                // same); a running one finishes and its result goes nowhere.
                if (job.Stage is JobStage.Queued or JobStage.Scheduled) Forget(job);
            }
            session.Waiting.Clear();
        }
        Release(releases);
    }

    // ---- functions and workers ----------------------------------------------------------------------------

    private GearmanFunction FunctionFor(string name)
    {
        if (!_functions.TryGetValue(name, out var function))
        {
            function = new GearmanFunction(name, _options.For(name));
            _functions.Add(name, function);
        }
        return function;
    }

    public void CanDo(GearmanSession session, string function, TimeSpan timeout)
    {
        GearmanFunction f;
        lock (_gate)
        {
            f = FunctionFor(function);
            var index = session.Abilities.FindIndex(a => a.Function == f);
            if (index >= 0)
            {
                session.Abilities[index] = new Ability(f, timeout);
                return;
            }
            session.Abilities.Add(new Ability(f, timeout));
            f.Workers.Add(session);
        }
        if (f.Durable) DurableWorkerArrived?.Invoke(f);
    }

    /// <summary>Raised outside the lock when a worker registers for a durable function (the lane starts watching its queue).</summary>
    public event Action<GearmanFunction>? DurableWorkerArrived;

    public void CantDo(GearmanSession session, string function)
    {
        List<(LeaseRef Lease, string Why)>? releases = null;
        lock (_gate)
        {
            if (!_functions.TryGetValue(function, out var f)) return;
            session.Abilities.RemoveAll(a => a.Function == f);
            f.Workers.Remove(session);
            Orphans(f, ref releases);
        }
        Release(releases);
    }

    public void ResetAbilities(GearmanSession session)
    {
        List<(LeaseRef Lease, string Why)>? releases = null;
        lock (_gate)
        {
            foreach (var a in session.Abilities) a.Function.Workers.Remove(session);
            foreach (var a in session.Abilities) Orphans(a.Function, ref releases);
            session.Abilities.Clear();
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
            foreach (var a in session.Abilities)
            {
                if (a.Function.QueuedTotal > 0)
                {
                    session.Sleeping = false;
                    session.Out.Send(GearmanPacketType.Noop);
                    return;
                }
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

    private static long DurableGeneration(GearmanSession session)
    {
        long sum = 0;
        foreach (var a in session.Abilities)
            if (a.Function.Durable) sum += a.Function.WakeGeneration;
        return sum;
    }

    /// <summary>Wakes every sleeping worker of the function (gearmand's default): each gets one NOOP per sleep.</summary>
    /// <summary>The store says the durable function's queue has jobs: wake its sleeping workers.</summary>
    public void DurableJobsAvailable(GearmanFunction function)
    {
        lock (_gate)
        {
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
                if (a.Function.Durable) (list ??= []).Add(a.Function);
            }
            if (list is null) return [];
            session.DurableCursor++;
            return list;
        }
    }

    // ---- handles --------------------------------------------------------------------------------------------

    private byte[] MemoryHandle(long seq) => Handle(seq, durable: false);

    public byte[] DurableHandle(long id) => Handle(id, durable: true);

    private byte[] Handle(long number, bool durable)
    {
        Span<byte> digits = stackalloc byte[21];
        Utf8Formatter.TryFormat(number, digits, out var written);
        var handle = new byte[_handlePrefix.Length + (durable ? 1 : 0) + written];
        _handlePrefix.CopyTo(handle, 0);
        if (durable) handle[_handlePrefix.Length] = (byte)'d';
        digits[..written].CopyTo(handle.AsSpan(handle.Length - written));
        return handle;
    }

    /// <summary>Reads a handle this server issued: a memory job's sequence number or a durable job's store id.</summary>
    public bool TryParseHandle(ReadOnlySpan<byte> handle, out long number, out bool durable)
    {
        number = 0;
        durable = false;
        if (!handle.StartsWith(_handlePrefix)) return false;
        var rest = handle[_handlePrefix.Length..];
        if (rest.Length > 0 && rest[0] == (byte)'d')
        {
            durable = true;
            rest = rest[1..];
        }
        return rest.Length > 0 && Utf8Parser.TryParse(rest, out number, out var used) && used == rest.Length && number > 0;
    }

    private GearmanJob? JobByHandle(ReadOnlySpan<byte> handle)
    {
        if (!TryParseHandle(handle, out var number, out var durable)) return null;
        return (durable ? _durableJobs : _memoryJobs).GetValueOrDefault(number);
    }

    private static string SafeHost()
    {
        var host = Environment.MachineName;
        var clean = new StringBuilder(host.Length);
        foreach (var c in host) clean.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_');
        return clean.Length == 0 ? "gantry" : clean.ToString();
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
