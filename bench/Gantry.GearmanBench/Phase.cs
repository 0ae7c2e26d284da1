using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;

namespace Gantry.GearmanBench;

/// <summary>
/// One batch of jobs (the untimed warm-up or the measured run) and what happened to each: when it was submitted,
/// acknowledged (JOB_CREATED) and done (WORK_COMPLETE at the client in foreground mode, at the worker in background
/// mode), and how many times a worker received it. Indexed by the job's sequence number, which travels in the payload.
/// </summary>
internal sealed class Phase
{
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _next;
    private int _events;
    private int _duplicates;

    public Phase(string name, byte tag, int jobs)
    {
        Name = name;
        Tag = tag;
        Jobs = jobs;
        Submitted = new long[jobs];
        Acknowledged = new long[jobs];
        Completed = new long[jobs];
        Deliveries = new int[jobs];
    }

    public string Name { get; }

    /// <summary>The first byte of every payload of this phase, so a job from another phase cannot be miscounted.</summary>
    public byte Tag { get; }

    public int Jobs { get; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> values; 0 = not yet.</summary>
    public long[] Submitted { get; }

    public long[] Acknowledged { get; }

    public long[] Completed { get; }

    /// <summary>How many times workers were assigned each job: exactly once when all is well.</summary>
    public int[] Deliveries { get; }

    public int Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>Acknowledgements plus completions so far; the phase is over at twice the job count.</summary>
    public int Events => Volatile.Read(ref _events);

    public Task Finished => _finished.Task;

    /// <summary>The next sequence number to submit, or -1 once all have been handed out.</summary>
    public int Take()
    {
        var seq = Interlocked.Increment(ref _next) - 1;
        return seq < Jobs ? seq : -1;
    }

    public void Acknowledge(int seq)
    {
        Acknowledged[seq] = Stopwatch.GetTimestamp();
        Count();
    }

    public void Complete(int seq)
    {
        Completed[seq] = Stopwatch.GetTimestamp();
        Count();
    }

    /// <summary>Records a worker receiving the job; returns whether this was its first delivery.</summary>
    public bool Deliver(int seq)
    {
        if (Interlocked.Increment(ref Deliveries[seq]) == 1) return true;
        Interlocked.Increment(ref _duplicates);
        return false;
    }

    private void Count()
    {
        if (Interlocked.Increment(ref _events) == 2 * Jobs) _finished.TrySetResult();
    }

    /// <summary>For a stall or a loss: how far the jobs got, and the first few that did not.</summary>
    public string Diagnose()
    {
        int acked = 0, delivered = 0, done = 0;
        var missing = new List<int>();
        for (var i = 0; i < Jobs; i++)
        {
            if (Acknowledged[i] != 0) acked++;
            if (Deliveries[i] != 0) delivered++;
            if (Completed[i] != 0) done++;
            else if (missing.Count < 5) missing.Add(i);
        }
        var submitted = Math.Min(Volatile.Read(ref _next), Jobs);
        return $"{Name}: of {Jobs} jobs, {submitted} submitted, {acked} acknowledged (JOB_CREATED), {delivered} assigned to workers, " +
               $"{done} completed, {Duplicates} duplicate assignment(s); first jobs not completed: [{string.Join(", ", missing)}]";
    }
}

/// <summary>
/// The job's identity on the wire: the phase's tag byte and the sequence number as ten ASCII digits, at the start of
/// the payload; the worker sends it back as the result (and, with <c>--unique seq</c>, it is the unique id too).
/// </summary>
internal static class JobTag
{
    public const int Length = 11;

    public static void Write(Span<byte> destination, byte tag, int seq)
    {
        destination[0] = tag;
        if (!Utf8Formatter.TryFormat(seq, destination.Slice(1, 10), out _, new StandardFormat('D', 10)))
            throw new InvalidOperationException("sequence number does not fit ten digits");
    }

    /// <summary>Reads the tag back; false when the bytes are not one.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out byte tag, out int seq)
    {
        tag = 0;
        seq = -1;
        if (payload.Length < Length) return false;
        tag = payload[0];
        return Utf8Parser.TryParse(payload.Slice(1, 10), out seq, out var consumed) && consumed == 10 && seq >= 0;
    }
}
