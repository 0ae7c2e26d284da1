using Gantry.Testing;

namespace Gantry.Gearman.Tests.Infrastructure;

/// <summary>
/// The real Gearman clients as child processes: the <c>gearman</c> tool (client and worker mode), <c>gearadmin</c>,
/// and the Perl scripts in <c>perl/</c> that use Gearman::Client and Gearman::Worker. A missing tool fails the test
/// with a message naming the Debian package; test.sh installs them.
/// </summary>
public static class GearmanTools
{
    public const string PerlFolder = "perl";

    private static readonly Lazy<string?> MissingTools = new(FindMissing);

    /// <summary>Runs <c>gearman</c> in client mode to its end: <c>gearman -h HOST -p PORT ARGS</c>.</summary>
    public static async Task<ProcessResult> GearmanAsync(GearmanServer server, params string[] arguments)
    {
        await using var child = StartGearman(server, arguments);
        var code = await child.WaitForExitAsync();
        return new ProcessResult(code, child.Stdout, child.Stderr);
    }

    /// <summary>Starts <c>gearman -h HOST -p PORT ARGS</c> (client or worker mode) and returns at once. Its stdout is
    /// line-buffered (through <c>stdbuf</c>) so a test can wait on what <c>-v</c> prints while the client still waits.</summary>
    public static ChildProcess StartGearman(GearmanServer server, params string[] arguments)
    {
        Require();
        return ChildProcess.Start("stdbuf", ["-oL", "gearman", "-h", server.Host, "-p", server.Port.ToString(), .. arguments]);
    }

    /// <summary>A <c>gearman -w</c> worker for <paramref name="function"/> that runs <paramref name="command"/> once per
    /// job, the job's data on its stdin and its stdout as the result; <paramref name="count"/> jobs then it exits (<c>-c</c>).</summary>
    public static ChildProcess StartCliWorker(GearmanServer server, string function, string[] command, int? count = null)
    {
        string[] countArgs = count is { } c ? ["-c", c.ToString()] : [];
        return StartGearman(server, ["-w", "-f", function, .. countArgs, "--", .. command]);
    }

    /// <summary>A shell command for <see cref="StartCliWorker"/> that appends the job's data and a newline to
    /// <paramref name="file"/> and returns nothing.</summary>
    public static string[] AppendTo(string file) => ["sh", "-c", "cat >> \"$0\"; echo >> \"$0\"", file];

    /// <summary><c>gearadmin -h HOST -p PORT ARGS</c>; returns the lines it printed before the closing <c>.</c>.</summary>
    public static async Task<AdminAnswer> GearadminAsync(GearmanServer server, params string[] arguments)
    {
        Require();
        await using var child = ChildProcess.Start("gearadmin", ["-h", server.Host, "-p", server.Port.ToString(), .. arguments]);
        var code = await child.WaitForExitAsync();
        var lines = child.Stdout.Split('\n').Select(l => l.TrimEnd('\r')).TakeWhile(l => l != ".").Where(l => l.Length > 0).ToList();
        return new AdminAnswer(code, lines, child.Stdout, child.Stderr);
    }

    /// <summary>Runs <c>perl perl/SCRIPT ARGS</c> to its end.</summary>
    public static async Task<ProcessResult> PerlAsync(string script, params string[] arguments)
    {
        await using var child = StartPerl(script, arguments);
        var code = await child.WaitForExitAsync();
        return new ProcessResult(code, child.Stdout, child.Stderr);
    }

    public static ChildProcess StartPerl(string script, params string[] arguments)
    {
        Require();
        var path = Path.Combine(AppContext.BaseDirectory, PerlFolder, script);
        if (!File.Exists(path)) throw new FileNotFoundException("the Perl script is not next to the test assembly", path);
        return ChildProcess.Start("perl", [path, .. arguments]);
    }

    /// <summary>A Perl Gearman::Worker for <paramref name="function"/> (see perl/worker.pl for the modes).</summary>
    public static ChildProcess StartPerlWorker(GearmanServer server, string function, string mode, string? file = null) =>
        StartPerl("worker.pl", file is null ? [server.Address, function, mode] : [server.Address, function, mode, file]);

    private static void Require()
    {
        if (MissingTools.Value is { } missing) throw new InvalidOperationException(missing);
    }

    private static string? FindMissing()
    {
        var problems = new List<string>();
        foreach (var tool in new[] { "gearman", "gearadmin", "stdbuf", "perl" })
            if (!OnPath(tool)) problems.Add($"'{tool}' is not on PATH");
        if (OnPath("perl"))
        {
            var check = ChildProcess.Start("perl", ["-MGearman::Client", "-MGearman::Worker", "-e1"]);
            if (check.WaitForExitAsync().GetAwaiter().GetResult() != 0) problems.Add($"Perl cannot load Gearman::Client: {check.Stderr}");
            check.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return problems.Count == 0
            ? null
            : "The real Gearman clients are missing (" + string.Join("; ", problems) +
              "). Install the Debian packages gearman-tools and libgearman-client-perl (test.sh does).";
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Any(dir => File.Exists(Path.Combine(dir, tool)));
}

/// <summary>What gearadmin printed: <see cref="Lines"/> are the answer's lines without the closing dot.</summary>
public sealed record AdminAnswer(int ExitCode, IReadOnlyList<string> Lines, string Stdout, string Stderr)
{
    /// <summary>The <c>--status</c> line of <paramref name="function"/> split at tabs (name, total, running,
    /// available workers), or null when the server lists no such function.</summary>
    public string[]? StatusOf(string function) =>
        Lines.Select(l => l.Split('\t')).FirstOrDefault(f => f.Length >= 4 && f[0] == function);

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
