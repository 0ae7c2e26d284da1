using System.Data.Common;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Gantry.Core.Storage;
using Gantry.Gearman;
using Gantry.Hosting;
using Gantry.Storage.Postgres;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Gantry.Server.Cli;

/// <summary>
/// Why <c>gantry server</c> (or <c>gantry migrate</c>) could not start, as one sentence in the user's terms that names
/// the address, folder or store at fault and the flag or setting that changes it. The host's own report of the failure
/// (a stack trace) is kept out of the log (see <see cref="GantryServerApp"/>); this is what the user reads instead.
/// </summary>
internal static partial class StartupFailures
{
    /// <summary>The failure as a <see cref="CliException"/>, or null when it is not one of the start-up failures known
    /// here (<see cref="CliErrors"/> then says what it can).</summary>
    public static CliException? Explain(Exception ex, IConfiguration configuration)
    {
        if (ex is AggregateException { InnerExceptions.Count: 1 } one) return Explain(one.InnerException!, configuration);
        var gantry = configuration.GetSection(GantryHostingExtensions.SectionName);
        return ex switch
        {
            IOException io when BindFailure(io) is { } address => PortInUse(io, address, gantry),
            StoreUnavailableException store when !string.IsNullOrWhiteSpace(gantry["Store"]) =>
                new CliException($"cannot reach the PostgreSQL store at {PostgresConnectionString.Address(gantry["Store"] ?? "") ?? "(its address)"}: " +
                                 $"{store.Reason}. Check that it is running and reachable, or point --store (Gantry:Store, GANTRY_STORE) elsewhere.",
                    ExitCodes.Failed),
            UnauthorizedAccessException denied when string.IsNullOrWhiteSpace(gantry["Store"]) =>
                new CliException($"cannot use the data folder {DataFolder(gantry)}: {denied.Message} " +
                                 "Give a folder this user may write with --data DIR (Gantry:Data, GANTRY_DATA).", ExitCodes.Failed),
            DbException db => new CliException($"cannot open the {StoreDescription(gantry)}: {db.Message}", ExitCodes.Failed),
            _ => null,
        };
    }

    /// <summary>The address Kestrel could not bind ("Failed to bind to address http://127.0.0.1:4780: address already
    /// in use."), or null when the failure is not a bind.</summary>
    private static string? BindFailure(IOException io) =>
        BindMessage().Match(io.Message) is { Success: true } m ? m.Groups["address"].Value : null;

    [GeneratedRegex(@"Failed to bind to address (?<address>\S+?)(?=: |\.?\s*$|\s)")]
    private static partial Regex BindMessage();

    private static CliException PortInUse(IOException io, string address, IConfiguration gantry)
    {
        var inUse = io.InnerException is AddressInUseException ||
                    io.InnerException?.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse };
        var why = inUse ? "is in use" : $"cannot be listened on ({Innermost(io).Message.TrimEnd('.')})";
        var gearman = gantry["Gearman:Listen"] is { Length: > 0 } listen ? listen : GearmanOptions.DefaultListen;
        if (IsGearman(address, gearman))
        {
            return new CliException($"the Gearman port {gearman} {why}{(inUse ? " (another gantry or gearmand?)" : "")}: choose another with " +
                                    "--gearman HOST:PORT (Gantry:Gearman:Listen, GANTRY_GEARMAN__LISTEN), or turn the Gearman front off with --gearman off.",
                ExitCodes.Failed);
        }
        var stomp = gantry["Stomp:Listen"] is { Length: > 0 } stompListen ? stompListen : Gantry.Stomp.StompOptions.DefaultListen;
        if (IsListen(address, stomp, Gantry.Stomp.StompOptions.DefaultPort))
        {
            return new CliException($"the STOMP port {stomp} {why}{(inUse ? " (another gantry or STOMP broker?)" : "")}: choose another with " +
                                    "--stomp HOST:PORT (Gantry:Stomp:Listen, GANTRY_STOMP__LISTEN), or turn the STOMP front off with --stomp off.",
                ExitCodes.Failed);
        }
        return new CliException($"the HTTP address {address} {why}{(inUse ? " (another gantry server?)" : "")}: choose another with " +
                                $"--urls URL, such as --urls http://127.0.0.1:{Contracts.GantryPorts.Http + 1} (Gantry:Urls, GANTRY_URLS).",
            ExitCodes.Failed);
    }

    /// <summary>Kestrel names the Gearman endpoint as an http:// address; it is Gearman's when host and port are.</summary>
    private static bool IsGearman(string address, string listen)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || !GearmanEndpoint.TryParse(listen, out var endpoint, out _)) return false;
        return uri.Port == endpoint.Port && System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var host) && host.Equals(endpoint.Address);
    }

    /// <summary>Kestrel names a front's endpoint as an http:// address; it is the front's when host and port are.</summary>
    private static bool IsListen(string address, string listen, int defaultPort)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || !Core.Options.ListenEndpoint.TryParse(listen, defaultPort, out var endpoint, out _)) return false;
        return uri.Port == endpoint.Port && System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var host) && host.Equals(endpoint.Address);
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null) ex = ex.InnerException;
        return ex;
    }

    private static string DataFolder(IConfiguration gantry) =>
        Path.GetFullPath(gantry["Data"] is { Length: > 0 } data ? data : GantryServerOptions.DefaultDataDirectory);

    private static string StoreDescription(IConfiguration gantry) =>
        string.IsNullOrWhiteSpace(gantry["Store"])
            ? $"SQLite store in {DataFolder(gantry)} (--data, Gantry:Data)"
            : $"PostgreSQL store at {PostgresConnectionString.Address(gantry["Store"]!) ?? "(its address)"} (--store, Gantry:Store)";
}
