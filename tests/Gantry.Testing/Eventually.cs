namespace Gantry.Testing;

/// <summary>Waits for a condition that another thread or process makes true. Not a timing assertion: the
/// generous limit only stops a broken build from hanging; passing tests return as soon as the condition holds.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(30);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? DefaultLimit);
        var pause = TimeSpan.FromMilliseconds(5);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Gave up waiting for: {what}");
            await Task.Delay(pause);
            if (pause < TimeSpan.FromMilliseconds(100)) pause *= 2;
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? limit = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, limit);
}
