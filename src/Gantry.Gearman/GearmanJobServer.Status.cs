using System.Text;

namespace Gantry.Gearman;

/// <summary>A job's progress as GET_STATUS reports it.</summary>
internal readonly record struct JobProgress(bool Known, bool Running, byte[] Numerator, byte[] Denominator, int Clients);

/// <summary>One function's counts, for the admin protocol and the HTTP queue list.</summary>
internal readonly record struct FunctionCounts(string Name, bool Durable, int High, int Normal, int Low, int Running, int Scheduled, int Workers,
    int DurableRunning, int DurableQueued)
{
    public int Queued => High + Normal + Low;
    public int Total => Queued + Running + Scheduled;
}

internal enum CancelResult : byte { Cancelled, NotFound, Running }

internal sealed partial class GearmanJobServer : Core.Queues.IQueueCountsSource
{
    /// <summary>GET_STATUS for a handle of this server's memory lane or a durable job a Gearman worker runs now;
    /// null when the handle names a durable job that only the store knows about.</summary>
    public JobProgress? Progress(ReadOnlySpan<byte> handle, out bool durable, out long number)
    {
        lock (_gate)
        {
            if (!TryParseHandle(handle, out number, out durable)) return new JobProgress(false, false, GearmanJob.Zero, GearmanJob.Zero, 0);
            var job = (durable ? _durableJobs : _memoryJobs).GetValueOrDefault(number);
            if (job is null) return durable ? null : new JobProgress(false, false, GearmanJob.Zero, GearmanJob.Zero, 0);
            return Describe(job);
        }
    }

    /// <summary>GET_STATUS_UNIQUE: the live memory job holding this unique id in any function.</summary>
    public JobProgress ProgressByUnique(ReadOnlySpan<byte> unique)
    {
        var key = Encoding.Latin1.GetString(unique);
        lock (_gate)
        {
            foreach (var f in _functions.Values)
                if (f.Uniques.TryGetValue(key, out var job)) return Describe(job);
            return new JobProgress(false, false, GearmanJob.Zero, GearmanJob.Zero, 0);
        }
    }

    private static JobProgress Describe(GearmanJob job) =>
        new(true, job.Stage == JobStage.Running, job.Numerator, job.Denominator, job.Clients?.Count ?? 0);

    public List<FunctionCounts> Counts()
    {
        lock (_gate)
        {
            var list = new List<FunctionCounts>(_functions.Count);
            foreach (var f in _functions.Values)
                list.Add(new FunctionCounts(f.Name, f.Durable, f.Queued[0], f.Queued[1], f.Queued[2], f.Running, f.Scheduled, f.Workers.Count,
                    f.DurableRunning, f.DurableQueued));
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
            foreach (var job in _memoryJobs.Values.Concat(_durableJobs.Values).OrderBy(j => j.Seq))
                text.Append(Encoding.ASCII.GetString(job.Handle)).Append('\t').Append(job.Requeues).Append("\t0\t")
                    .Append(job.IsQueued ? 1 : 0).Append('\n');
        }
        return text.Append(".\n").ToString();
    }

    public string UniqueJobsText()
    {
        var text = new StringBuilder();
        lock (_gate)
        {
            foreach (var f in _functions.Values)
                foreach (var (key, job) in f.Uniques)
                    text.Append(key).Append('\t').Append(Encoding.ASCII.GetString(job.Handle)).Append('\n');
        }
        return text.Append(".\n").ToString();
    }

    /// <summary>Admin "cancel job": a memory job that no worker has yet is removed (its clients hear WORK_FAIL).</summary>
    public CancelResult CancelMemoryJob(ReadOnlySpan<byte> handle)
    {
        lock (_gate)
        {
            if (!TryParseHandle(handle, out var number, out var durable) || durable) return CancelResult.NotFound;
            if (!_memoryJobs.TryGetValue(number, out var job)) return CancelResult.NotFound;
            if (job.Stage == JobStage.Running) return CancelResult.Running;
            if (job.Clients is { } clients)
                foreach (var client in clients) client.Out.Send(Protocol.Gearman.GearmanPacketType.WorkFail, job.Handle);
            Forget(job);
            return CancelResult.Cancelled;
        }
    }

    /// <summary>Admin "maxqueue": limits per priority (0: none); a function not seen yet is created, so it can be
    /// limited before its first job arrives.</summary>
    public void SetMaxQueue(string function, int high, int normal, int low)
    {
        lock (_gate)
        {
            var f = FunctionFor(function);
            f.MaxQueue[0] = Math.Max(0, high);
            f.MaxQueue[1] = Math.Max(0, normal);
            f.MaxQueue[2] = Math.Max(0, low);
        }
    }

    public void CreateFunction(string function)
    {
        lock (_gate) FunctionFor(function);
    }

    /// <summary>Admin "drop function": only a function with no workers and nothing running can go; its queued jobs go with it.</summary>
    public string DropFunction(string function)
    {
        lock (_gate)
        {
            if (!_functions.TryGetValue(function, out var f)) return "ERR function not found\r\n";
            if (f.Workers.Count > 0 || f.Running > 0) return "ERR there are still connected workers or executing clients\r\n";
            foreach (var job in _memoryJobs.Values.Where(j => j.Function == f).ToList())
            {
                if (job.Clients is { } clients)
                    foreach (var client in clients) client.Out.Send(Protocol.Gearman.GearmanPacketType.WorkFail, job.Handle);
                Forget(job);
            }
            _functions.Remove(function);
            return "OK\r\n";
        }
    }

    /// <summary>The leases of durable jobs Gearman workers hold now, for the lease keeper.</summary>
    public List<Core.Jobs.LeaseRef> DurableLeases()
    {
        lock (_gate) return _durableJobs.Values.Where(j => j.Durable is not null).Select(j => j.Durable!.Value).ToList();
    }

    /// <summary>The in-memory lane as queues, for <c>gantry queues</c> and <c>GET /api/queues</c> (durable jobs a Gearman
    /// worker runs or holds ready are already counted by the store, as running).</summary>
    public IReadOnlyList<Core.Queues.QueueSummary> QueueCounts()
    {
        lock (_gate)
        {
            var list = new List<Core.Queues.QueueSummary>(_functions.Count);
            foreach (var f in _functions.Values)
            {
                DateTimeOffset? oldest = null;
                foreach (var q in f.Queues)
                    if (q.PeekLive() is { } head && (oldest is null || head.CreatedAt < oldest)) oldest = head.CreatedAt;
                var counts = Core.Jobs.JobStates.All.ToDictionary(s => s, s => s switch
                {
                    Core.Jobs.JobState.Available => (long)f.QueuedTotal - f.DurableQueued,
                    Core.Jobs.JobState.Running => f.Running - f.DurableRunning,
                    Core.Jobs.JobState.Scheduled => f.Scheduled,
                    _ => 0L,
                });
                list.Add(new Core.Queues.QueueSummary(f.Name, false, counts, oldest)
                {
                    Lane = f.Durable ? Core.Queues.QueueLanes.Durable : Core.Queues.QueueLanes.Memory,
                });
            }
            return list;
        }
    }
}
