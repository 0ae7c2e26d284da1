using System.Text;
using Gantry.Core.Jobs;
using Gantry.Protocol.Gearman;
using Microsoft.Extensions.Logging;

namespace Gantry.Gearman;

internal sealed partial class GearmanJobServer
{
    /// <summary>
    /// WORK_DATA, WORK_WARNING, WORK_STATUS and WORK_EXCEPTION: forwarded unchanged to every waiting client (exceptions
    /// only to clients that asked for them). Reports for a job this worker does not hold are ignored: after a timeout
    /// or a cancel the worker may still be talking about it.
    /// </summary>
    public void WorkUpdate(GearmanSession worker, in GearmanPacket packet)
    {
        lock (_gate)
        {
            var job = JobByHandle(packet.Field(0));
            if (job is null || job.Worker != worker) return;
            switch (packet.Type)
            {
                case GearmanPacketType.WorkStatus:
                    job.Numerator = packet.Field(1).ToArray();
                    job.Denominator = packet.Field(2).ToArray();
                    break;
                case GearmanPacketType.WorkException:
                    job.ExceptionSent = true;
                    job.LastError = Encoding.UTF8.GetString(packet.Field(1));
                    break;
            }
            if (job.Clients is not { } clients) return;
            foreach (var client in clients)
            {
                if (packet.Type == GearmanPacketType.WorkException && !client.Exceptions) continue;
                client.Out.Send(packet.Type, packet.Body.Span);
            }
        }
    }

    /// <summary>WORK_COMPLETE: the result goes to every waiting client, and the job is recorded as succeeded in its lane.</summary>
    public void WorkComplete(GearmanSession worker, in GearmanPacket packet)
    {
        Completion memoryCompletion;
        GearmanFunction function;
        lock (_gate)
        {
            var job = JobByHandle(packet.Field(0));
            if (job is null || job.Worker != worker) return;
            if (job.Clients is { } clients)
                foreach (var client in clients) client.Out.Send(GearmanPacketType.WorkComplete, packet.Body.Span);
            var lease = job.Lease;
            function = job.Function;
            // Forgotten first: the end the lane announces is then not taken for one that happened elsewhere.
            Forget(job);
            var result = packet.FieldMemory(1);
            if (job.Durable)
            {
                Durable?.Complete(lease, result);
                ForgetIfIdle(function);
                return;
            }
            // The clients have the whole result already; the lane keeps it for readers only when it fits the limit.
            // No copy: the packet's body is an array of its own, not the connection's buffer.
            ReadOnlyMemory<byte>? kept = result.Length <= _engine.Options.Limits.MaxResultBytes ? result : null;
            memoryCompletion = new Completion(lease.Id, lease.Attempt, kept);
        }
        // Outside the front's lock: the lane has its own, and the job log and statistics behind it need neither. The
        // job is leased to this worker alone, so nothing else can move it meanwhile; holding the front's lock across
        // the lane's work made every other connection of the front wait for it.
        _engine.CompleteInMemory(memoryCompletion, byFollower: true);
        // The worker that did the job usually still can, and then the function is not idle: no second look needed.
        if (function.Workers.Count > 0) return;
        lock (_gate) ForgetIfIdle(function);
    }

    /// <summary>WORK_FAIL: clients hear WORK_FAIL; a background job with retries left runs again after the backoff.</summary>
    public void WorkFail(GearmanSession worker, ReadOnlySpan<byte> handle)
    {
        lock (_gate)
        {
            var job = JobByHandle(handle);
            if (job is null || job.Worker != worker) return;
            FailLocked(job, job.LastError ?? "the Gearman worker sent WORK_FAIL");
        }
    }

    private void FailLocked(GearmanJob job, string why)
    {
        if (job.Clients is { } clients)
            foreach (var client in clients) client.Out.Send(GearmanPacketType.WorkFail, job.Handle);
        var lease = job.Lease;
        var function = job.Function;
        Forget(job);
        if (job.Durable) Durable?.Fail(lease, why);
        else _engine.FailInMemory(new Failure(lease.Id, lease.Attempt, FailureKind.Error, why));
        ForgetIfIdle(function);
    }

    /// <summary>
    /// gearmand treats WORK_EXCEPTION as a report, and libgearman workers follow it with WORK_FAIL; a worker that sends
    /// only the exception and moves on (GRAB_JOB, PRE_SLEEP) has failed that job, so clients still hear WORK_FAIL.
    /// </summary>
    private void FinishAbandonedExceptions(GearmanSession worker)
    {
        if (worker.Assigned.Count == 0) return;
        for (var i = worker.Assigned.Count - 1; i >= 0; i--)
        {
            var job = worker.Assigned[i];
            if (job.ExceptionSent) FailLocked(job, job.LastError ?? "the Gearman worker sent WORK_EXCEPTION");
        }
    }

    /// <summary>CAN_DO_TIMEOUT ran out: the job fails (clients hear WORK_FAIL), as gearmand does.</summary>
    private void TimedOut(GearmanJob job, GearmanSession worker, int assignment)
    {
        lock (_gate)
        {
            if (job.Worker != worker || job.Assignment != assignment || job.Stage != JobStage.Running) return;
            _log.LogInformation("Gearman job {Handle} of {Function} ran past its worker's CAN_DO_TIMEOUT",
                Encoding.ASCII.GetString(job.Handle), job.Function.Name);
            FailLocked(job, "the job ran past its worker's CAN_DO_TIMEOUT");
        }
    }
}
