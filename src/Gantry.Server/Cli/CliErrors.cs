using Gantry.Client;
using Gantry.Core.Storage;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Cli;

/// <summary>Runs a verb and turns the failures a user can act on into one clear line on stderr and an exit code.</summary>
internal static class CliErrors
{
    public static async Task<int> Run(Func<Task<int>> verb)
    {
        try
        {
            return await verb();
        }
        catch (CliException ex)
        {
            return Fail(ex.Message, ex.ExitCode);
        }
        catch (OptionsValidationException ex)
        {
            return Fail("configuration is not valid:" + Environment.NewLine + string.Join(Environment.NewLine, ex.Failures.Select(f => "  - " + f)), 2);
        }
        catch (GantryApiException ex)
        {
            return Fail(ex.Message, 1);
        }
        catch (HttpRequestException ex)
        {
            return Fail($"cannot reach the server: {ex.Message} (set --server or {GantryClientOptions.ServerUrlVariable})", 1);
        }
        catch (TimeoutException ex)
        {
            return Fail(ex.Message, 1);
        }
        catch (StoreUnavailableException ex)
        {
            return Fail(ex.Message + ".", 1);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or IOException)
        {
            return Fail(ex.Message, 1);
        }
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine("gantry: " + message);
        return code;
    }
}
