namespace Gantry.Protocol.Gearman;

/// <summary>
/// The 4-byte code that opens every binary packet and says which way it travels: <c>"\0REQ"</c> towards the
/// job server, <c>"\0RES"</c> from it. The direction matters because the same type number means a request
/// from a worker (WORK_COMPLETE sent to the server) and a notification to a client (WORK_COMPLETE forwarded).
/// </summary>
public enum GearmanMagic : byte
{
    /// <summary><c>"\0REQ"</c>: sent by clients and workers to the job server.</summary>
    Request,

    /// <summary><c>"\0RES"</c>: sent by the job server to clients and workers.</summary>
    Response,
}
