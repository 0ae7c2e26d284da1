using System.Text.Json;

namespace Gantry.Workers.Status;

/// <summary>
/// The status file: rewritten whole on every change and every second, through a temporary file and a rename, so a
/// reader never sees half a file. Removed when the manager stops.
/// </summary>
public static class StatusFile
{
    public static void Write(string path, StatusSnapshot snapshot)
    {
        var temporary = $"{path}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(snapshot, StatusSnapshot.Json));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The snapshot, or null when there is no status file (no manager running with this file).</summary>
    public static StatusSnapshot? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<StatusSnapshot>(File.ReadAllBytes(path), StatusSnapshot.Json);
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            throw new InvalidOperationException($"cannot read the status file {path}: {ex.Message}");
        }
    }

    public static void Delete(string path)
    {
        try { File.Delete(path); }
        catch (IOException) { }
    }

    /// <summary>Whether the manager that wrote the snapshot still runs (a killed manager leaves its file behind).</summary>
    public static bool IsAlive(StatusSnapshot snapshot) => PidFile.IsRunning(snapshot.Pid);
}
