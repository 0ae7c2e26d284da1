namespace Gantry.Server.Cli;

/// <summary>
/// How every <c>gantry</c> verb exits, in one place. The line on stderr says what went wrong; the code says whose move
/// it is: 2 means the command line, a setting or a file must change before trying again; 1 means the command was
/// right but did not succeed (the server could not start or cannot be reached, a job failed, there is no such job).
/// </summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The command did not succeed for a reason other than how it was called: the server could not start (a
    /// port in use, a data folder another server holds, the PostgreSQL store unreachable), the server cannot be reached,
    /// a job ended without success, or what was asked for does not exist or has already happened.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage or configuration: an unknown verb or option, a flag out of its range, a setting that does not
    /// exist or cannot take its value, a settings file that does not parse, or a request the server refused as invalid.
    /// Running the same command again cannot succeed.</summary>
    public const int Usage = 2;

    /// <summary><c>--wait</c> ran out before the job finished (the code timeout(1) uses).</summary>
    public const int TimedOut = 124;
}
