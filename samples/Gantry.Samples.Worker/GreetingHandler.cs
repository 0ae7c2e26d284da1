using Gantry.Client.Workers;
using Microsoft.Extensions.Logging;

namespace Gantry.Samples.Worker;

/// <summary>The payload of a "greetings" job: <c>{"name": "Ada", "language": "fr"}</c>.</summary>
public sealed record Greeting(string Name, string? Language);

/// <summary>The result stored with the job.</summary>
public sealed record Greeted(string Text, int Attempt);

/// <summary>
/// Turns a name into a greeting. A missing name can never succeed, so it discards the job (dead at once);
/// an unknown language is treated as a passing failure, so the job is retried with backoff.
/// </summary>
public sealed class GreetingHandler(ILogger<GreetingHandler> log) : JobHandler<Greeting, Greeted>
{
    private static readonly Dictionary<string, string> Hello = new()
    {
        ["en"] = "Hello", ["fr"] = "Bonjour", ["ko"] = "안녕하세요", ["de"] = "Hallo",
    };

    protected override async Task<Greeted> HandleAsync(Greeting payload, JobContext job, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(payload.Name)) throw new DiscardJobException("a greeting needs a name");
        var language = payload.Language ?? "en";
        if (!Hello.TryGetValue(language, out var hello))
            throw new InvalidOperationException($"no greeting for language '{language}' yet");

        // Stand-in for real work (an e-mail, a thumbnail): it honours the token, which fires on cancel or shutdown.
        await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        log.LogInformation("Job {Id}: greeted {Name} (attempt {Attempt})", job.Id, payload.Name, job.Attempt);
        return new Greeted($"{hello}, {payload.Name}!", job.Attempt);
    }
}
