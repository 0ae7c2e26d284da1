namespace Gantry.Workers.Child;

/// <summary>Says how a process ended. On Unix .NET reports a process killed by signal N as exit code 128 + N.</summary>
public static class ExitText
{
    private static readonly Dictionary<int, string> Signals = new()
    {
        [1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE",
        [9] = "SIGKILL", [11] = "SIGSEGV", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
    };

    public static string Describe(int exitCode) =>
        exitCode > 128 && Signals.TryGetValue(exitCode - 128, out var name) && !OperatingSystem.IsWindows()
            ? $"was killed by signal {exitCode - 128} ({name}, exit code {exitCode})"
            : $"exited with code {exitCode}";
}
