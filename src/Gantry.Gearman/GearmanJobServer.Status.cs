using System.Text;
using Gantry.Core.Jobs;
using Gantry.Core.Memory;

namespace Gantry.Gearman;

/// <summary>A job's progress as GET_STATUS reports it.</summary>
internal readonly record struct JobProgress(bool Known, bool Running, byte[] Numerator, byte[] Denominator, int Clients)
{
    public static readonly JobProgress Unknown = new(false, false, GearmanJob.Zero, GearmanJob.Zero, 0);
}

/// <summary>One function's counts, for the admin protocol.</summary>
internal readonly record struct FunctionCounts(string Name, bool Durable, int High, int Normal, int Low, int Running, int Scheduled, int Workers,
    int DurableRunning, int DurableQueued)
{
    public int Queued => High + Normal + Low;
    public int Total => Queued + Running + Scheduled;
}

internal enum CancelResult : byte { Cancelled, NotFound, Running }

internal sealed partial class GearmanJobServer
{
    /// <summary>GET_STATUS for a memory job, or a durable job a Gearman worker holds now; null when the handle names a
    /// durable job that only the store knows about.</summary>
    public JobProgress? Progress(ReadOnlySpan<byte> handle, out bool durable, out long id)
    {
        lock (_gate)
        {
            if (!TryParseHandle(handle, out id, out durable)) return JobProgress.Unknown;
            var record = _jobs.GetValueOrDefault(id);
            if (durable) return record is null ? null : Describe(record, running: record.Stage == JobStage.Running);
            var state = _engine.StateOfMemoryJob(id);
            if (state is null || state.Value.IsFinished()) return JobProgress.Unknown;
            return record is null
                ? new JobProgress(true, state == JobState.Running, GearmanJob.Zero, GearmanJob.Zero, 0)
                : Describe(record, running: state == JobState.Running);
        }
    }

    /// <summary>GET_STATUS_UNIQUE: the live memory job holding this unique id in any function.</summary>
    public JobProgress ProgressByUnique(ReadOnlySpan<byte> unique)
    {
        var key = Encoding.Latin1.GetString(unique);
        lock (_gate)
        {
            if (_engine.Memory.FindUnique(null, key) is not { } id || _engine.StateOfMemoryJob(id) is not { } state) return JobProgress.Unknown;
            return _jobs.TryGetValue(id, out var record)
                ? Describe(record, running: state == JobState.Running)
                : new JobProgress(true, state == JobState.Running, GearmanJob.Zero, GearmanJob.Zero, 0);
        }
    }

    private static JobProgress Describe(GearmanJob job, bool running) =>
        new(true, running, job.Numerator, job.Denominator, job.Clients?.Count ?? 0);

    /// <summary>Every known function's memory counts, its workers and the durable jobs its workers hold or have leased ahead.</summary>
    public List<FunctionCounts> Counts()
    {
        lock (_gate)
        {
            var list = new List<FunctionCounts>(_functions.Count);
            foreach (var f in _functions.Values)
            {
                var m = _engine.Memory.CountsOf(f.Name);
                int Ahead(int p) => f.DurableQueued == 0 ? 0 : f.Prefetched[p].Live().Count();
                list.Add(new FunctionCounts(f.Name, IsDurable(f.Name), m.High + Ahead(0), m.Normal + Ahead(1), m.Low + Ahead(2),
                    m.Running + f.DurableRunning, m.Waiting, f.Workers.Count, f.DurableRunning, f.DurableQueued));
            }
            list.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            return list;
        }
    }

    /// <summary>gearadmin's workers list: every connection, its address, client id and functions.</summary>
    public string WorkersText()
    {
        var text = new StringBuilder();
        lock (_gate)
        {
            foreach (var s in _sessions.Values.OrderBy(s => s.Id))
            {
                text.Append(s.Id).Append(' ').Append(s.Host).Append(' ').Append(s.ClientId).Append(" :");
                foreach (var a in s.Abilities) text.Append(' ').Append(a.Function.Name);
                text.Append('\n');
            }
        }
        return text.Append(".\n").ToString();
    }

    /// <summary>gearadmin's show jobs: handle, requeues, 0 (gearmand's ignore flag), and whether it is queued.</summary>
    public string JobsText()
    {
        var text = new StringBuilder();
        lock (_gate)
        {
            foreach (var (id, _, queued) in _engine.Memory.LiveJobList())
                Line(Handle(id, durable: false), _jobs.GetValueOrDefault(id)?.Requeues ?? 0, queued);
            foreach (var job in _jobs.Values.Where(j => j.Durable).OrderBy(j => j.Id)) Line(job.Handle, job.Requeues, job.IsQueued);
        }
        return text.Append(".\n").ToString();

        void Line(byte[] handle, int requeues, bool queued) =>
            text.Append(Encoding.ASCII.GetString(handle)).Append('\t').Append(requeues).Append("\t0\t").Append(queued ? 1 : 0).Append('\n');
    }

    public string UniqueJobsText()
    {
        var text = new StringBuilder();
        foreach (var (_, key, id) in _engine.Memory.UniqueKeys())
            text.Append(key).Append('\t').Append(Encoding.ASCII.GetString(Handle(id, durable: false))).Append('\n');
        return text.Append(".\n").ToString();
    }

    /// <summary>Admin "cancel job": a memory job that no worker has yet is cancelled (its clients hear WORK_FAIL).</summary>
    public CancelResult CancelMemoryJob(ReadOnlySpan<byte> handle)
    {
        if (!TryParseHandle(handle, out var id, out var durable) || durable) return CancelResult.NotFound;
        lock (_gate)
        {
            var state = _engine.StateOfMemoryJob(id);
            if (state is null || state.Value.IsFinished()) return CancelResult.NotFound;
            if (state == JobState.Running) return CancelResult.Running;
            _engine.CancelInMemory(id); // its end is announced: waiting clients hear WORK_FAIL
            return CancelResult.Cancelled;
        }
    }

    /// <summary>Admin "maxqueue": limits per priority (0: none); a function not seen yet is created, so it can be
    /// limited before its first job arrives.</summary>
    public string SetMaxQueue(string function, int high, int normal, int low)
    {
        lock (_gate)
        {
            if (FunctionFor(function, out var refused) is not { } f) return $"ERR QUEUE_ERROR {refused!.Value.Message.Replace(' ', '+')}\r\n";
            f.MaxQueue[0] = Math.Max(0, high);
            f.MaxQueue[1] = Math.Max(0, normal);
            f.MaxQueue[2] = Math.Max(0, low);
            ForgetIfIdle(f);
            return "OK\r\n";
        }
    }

    public string CreateFunction(string function)
    {
        lock (_gate) return FunctionFor(function, out var refused) is null ? $"ERR QUEUE_ERROR {refused!.Value.Message.Replace(' ', '+')}\r\n" : "OK\r\n";
    }

    /// <summary>Admin "drop function": only a function with no workers and nothing running can go; its waiting memory
    /// jobs go with it (their clients hear WORK_FAIL).</summary>
    public string DropFunction(string function)
    {
        lock (_gate)
        {
            if (!_functions.TryGetValue(function, out var f)) return "ERR function not found\r\n";
            if (f.Workers.Count > 0 || f.DurableRunning > 0 || _engine.Memory.CountsOf(function).Running > 0)
                return "ERR there are still connected workers or executing clients\r\n";
            _engine.Memory.CancelWaiting(function, _time.GetUtcNow());
            _functions.Remove(function);
            return "OK\r\n";
        }
    }

    /// <summary>The leases of jobs Gearman workers hold now or that wait leased ahead, for the lease keeper.</summary>
    public List<LeaseRef> HeldLeases()
    {
        lock (_gate) return _jobs.Values.Where(j => j.Stage == JobStage.Running || (j.Durable && j.IsQueued)).Select(j => j.Lease).ToList();
    }
}
