using System.Diagnostics;
using System.Globalization;

namespace Gantry.Workers.Status;

/// <summary>The manager's pid file (<c>pid_file</c>): written at start, removed at exit; a live pid in it stops a second manager.</summary>
public static class PidFile
{
    public static void Write(string path)
    {
        if (File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture, out var existing)
            && existing != Environment.ProcessId && IsRunning(existing))
            throw new InvalidOperationException($"pid file {path} names process {existing}, which is running: is another worker manager using it?");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot write the pid file {path}: {ex.Message}");
        }
    }

    public static void Delete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
