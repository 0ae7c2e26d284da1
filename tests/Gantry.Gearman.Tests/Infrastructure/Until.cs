using Gantry.Testing;

namespace Gantry.Gearman.Tests.Infrastructure;

/// <summary><see cref="Eventually"/> with a description of what was last seen, so a test that gives up says why.</summary>
public static class Until
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    /// <summary>Waits until <paramref name="condition"/> holds; on giving up, the message adds <paramref name="seen"/>
    /// (called then: the last answer, a worker's output, the server's log).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, Func<string> seen)
    {
        try
        {
            await Eventually.TrueAsync(condition, what, Limit);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{seen()}");
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, Func<string> seen) =>
        TrueAsync(() => Task.FromResult(condition()), what, seen);

    /// <summary>The lines of a file a worker appends to, or none while it does not exist yet.</summary>
    public static IReadOnlyList<string> LinesOf(string file) =>
        File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Length > 0).ToList() : [];
}
