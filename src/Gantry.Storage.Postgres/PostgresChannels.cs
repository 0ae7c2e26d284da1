namespace Gantry.Storage.Postgres;

/// <summary>The LISTEN/NOTIFY channels servers sharing a database use to wake each other.</summary>
internal static class PostgresChannels
{
    /// <summary>Payload: a queue name that got available jobs (insert, promotion, retry, release, resume).</summary>
    public const string JobsAvailable = "gantry_jobs_available";

    /// <summary>Payload: the id of a finished job that someone waits for (its <c>notify_finish</c> flag is set).</summary>
    public const string JobFinished = "gantry_job_finished";
}
