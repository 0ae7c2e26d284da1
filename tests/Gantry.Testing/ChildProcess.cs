using System.Diagnostics;
using System.Text;

namespace Gantry.Testing;

/// <summary>
/// A program the test starts as a separate process, with its output collected line by line. Tests wait on what the
/// process prints or on its exit, never on time. Disposing kills it if it still runs.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    /// <summary>How long a wait on a process gives up after: a hang guard for broken builds, not a timing assertion.</summary>
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly object _lock = new();
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _watchers = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process) => _process = process;

    /// <summary>Starts <paramref name="fileName"/>. <paramref name="environment"/> adds or overrides variables; a null value removes one.</summary>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null) info.Environment.Remove(name);
            else info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data, child._stdout, child._stdoutClosed, watch: true);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data, child._stderr, child._stderrClosed, watch: false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        return child;
    }

    /// <summary>Starts a .NET program: <c>dotnet PATH.dll ARGS</c>.</summary>
    public static ChildProcess StartDotnet(string dllPath, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, string? stdin = null) =>
        Start(DotnetHost, [dllPath, .. arguments], environment, workingDirectory, stdin);

    /// <summary>Runs a .NET program to its end and returns what it printed.</summary>
    public static Task<ProcessResult> RunDotnetAsync(string dllPath, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, string? stdin = null, TimeSpan? limit = null) =>
        RunAsync(DotnetHost, [dllPath, .. arguments], environment, workingDirectory, stdin, limit);

    /// <summary>Runs a program to its end and returns what it printed.</summary>
    public static async Task<ProcessResult> RunAsync(string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null, string? stdin = null, TimeSpan? limit = null)
    {
        await using var child = Start(fileName, arguments, environment, workingDirectory, stdin);
        var code = await child.WaitForExitAsync(limit);
        return new ProcessResult(code, child.Stdout, child.Stderr);
    }

    /// <summary>The <c>dotnet</c> host running this test process, so children use the same runtime.</summary>
    public static string DotnetHost { get; } =
        Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? p : "dotnet";

    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Stdout
    {
        get { lock (_lock) return string.Join('\n', _stdout); }
    }

    public string Stderr
    {
        get { lock (_lock) return string.Join('\n', _stderr); }
    }

    /// <summary>Waits until the process prints a stdout line that matches; fails if it exits first.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, string what, TimeSpan? limit = null)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var seen = _stdout.FirstOrDefault(match);
            if (seen is not null) return seen;
            _watchers.Add((match, found));
        }
        try
        {
            await Task.WhenAny(found.Task, _stdoutClosed.Task).WaitAsync(limit ?? DefaultLimit).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        if (found.Task.IsCompletedSuccessfully) return found.Task.Result;
        lock (_lock) _watchers.RemoveAll(w => w.Found == found);
        throw new InvalidOperationException(
            $"{(_stdoutClosed.Task.IsCompleted ? "The process ended before printing" : "Gave up waiting for")} {what}.\n" +
            $"--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}");
    }

    /// <summary>Waits for the process to exit and its output to be read to the end; returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? limit = null)
    {
        try
        {
            using var cts = new CancellationTokenSource(limit ?? DefaultLimit);
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The process did not exit.\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}");
        }
        return _process.ExitCode;
    }

    /// <summary>Kills the process at once (SIGKILL on Unix: no shutdown code runs) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        try { _process.Kill(); }
        catch (InvalidOperationException) { /* already exited */ }
        await WaitForExitAsync().ConfigureAwait(false);
    }

    private void OnLine(string? line, List<string> lines, TaskCompletionSource closed, bool watch)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        List<TaskCompletionSource<string>>? hits = null;
        lock (_lock)
        {
            lines.Add(line);
            if (watch)
            {
                for (var i = _watchers.Count - 1; i >= 0; i--)
                {
                    if (!_watchers[i].Match(line)) continue;
                    (hits ??= []).Add(_watchers[i].Found);
                    _watchers.RemoveAt(i);
                }
            }
        }
        if (hits is not null) foreach (var h in hits) h.TrySetResult(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            using var cts = new CancellationTokenSource(DefaultLimit);
            try { await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        _process.Dispose();
    }
}

/// <summary>How a finished process ended and what it printed.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}
