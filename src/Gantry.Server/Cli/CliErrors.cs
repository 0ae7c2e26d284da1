using System.Net;
using Gantry.Client;
using Gantry.Core.Storage;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Cli;

/// <summary>Runs a verb and turns the failures a user can act on into one clear line on stderr and an exit code
/// (<see cref="ExitCodes"/>).</summary>
internal static class CliErrors
{
    public static async Task<int> Run(Func<Task<int>> verb)
    {
        try
        {
            return await verb();
        }
        catch (Exception ex) when (Explain(ex) is { } failure)
        {
            Console.Error.WriteLine("gantry: " + failure.Message);
            return failure.ExitCode;
        }
    }

    /// <summary>The line a failure is told in, without the exit code.</summary>
    public static string Describe(Exception ex) => Explain(ex)?.Message ?? ex.Message;

    /// <summary>The failures a user can act on; null for anything else (a bug, which keeps its stack trace).</summary>
    private static CliException? Explain(Exception ex) => ex switch
    {
        CliException cli => cli,
        AggregateException { InnerExceptions.Count: 1 } one => Explain(one.InnerException!),
        OptionsValidationException invalid => new CliException(Invalid(invalid.Failures.ToList()), ExitCodes.Usage),
        // The server refused the request as it stands: the command must change (a 404 or 409 is a fact, not a mistake).
        GantryApiException api => new CliException(api.Message,
            api.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge ? ExitCodes.Usage : ExitCodes.Failed),
        HttpRequestException http => new CliException(
            $"cannot reach the server: {http.Message} (set --server or {GantryClientOptions.ServerUrlVariable})", ExitCodes.Failed),
        TimeoutException timeout => new CliException(timeout.Message, ExitCodes.Failed),
        StoreUnavailableException store => new CliException(store.Message + ".", ExitCodes.Failed),
        InvalidOperationException or ArgumentException or IOException or UnauthorizedAccessException => new CliException(ex.Message, ExitCodes.Failed),
        _ => null,
    };

    /// <summary>One problem on the line itself; several, one per line below it.</summary>
    private static string Invalid(IReadOnlyList<string> failures) => failures.Count == 1
        ? "configuration is not valid: " + failures[0]
        : "configuration is not valid:" + Environment.NewLine + string.Join(Environment.NewLine, failures.Select(f => "  - " + f));
}
