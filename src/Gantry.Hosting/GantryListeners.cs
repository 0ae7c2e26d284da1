using System.Net;
using Gantry.Core.Options;
using Gantry.Gearman;
using Gantry.Stomp;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace Gantry.Hosting;

/// <summary>
/// Every port a composed server listens on, configured in Kestrel in one place: the HTTP API's addresses and one
/// endpoint per protocol front (Gearman, STOMP), each a connection handler in the same host.
/// </summary>
/// <remarks>
/// Kestrel ignores <c>urls</c> (<c>ASPNETCORE_URLS</c>, <c>--urls</c>) once any endpoint is configured by
/// configuration or code. So the fronts' endpoints are added to the application's own <c>Kestrel</c> section, and the HTTP
/// addresses are added beside them: <c>Gantry:Urls</c> when set, else the application's <c>urls</c>, else (when the
/// application's <c>Kestrel</c> section names no endpoint of its own) Kestrel's default address.
/// </remarks>
internal static class GantryListeners
{
    /// <summary>What Kestrel listens on when nothing says otherwise.</summary>
    private const string KestrelDefaultUrl = "http://localhost:5000";

    private const string GearmanEndpointName = "GantryGearman";
    private const string StompEndpointName = "GantryStomp";

    public static void Configure(KestrelServerOptions kestrel, IConfiguration application, IConfiguration gantry)
    {
        var gearman = GearmanEndpointFrom(gantry.GetSection("Gearman"));
        var stomp = StompEndpointFrom(gantry.GetSection("Stomp"));
        var gantryUrls = gantry["Urls"];
        if (gearman is null && stomp is null && string.IsNullOrWhiteSpace(gantryUrls)) return; // the application's listeners stay as they are

        var own = application.GetSection("Kestrel");
        var settings = new Dictionary<string, string?>();
        var i = 0;
        foreach (var url in HttpUrls(gantryUrls, application, ownEndpoints: own.GetSection("Endpoints").GetChildren().Any()))
            settings[$"Endpoints:GantryHttp{i++}:Url"] = url;
        if (gearman is not null) settings[$"Endpoints:{GearmanEndpointName}:Url"] = $"http://{Host(gearman)}:{gearman.Port}";
        if (stomp is not null) settings[$"Endpoints:{StompEndpointName}:Url"] = $"http://{Host(stomp)}:{stomp.Port}";

        var merged = new ConfigurationBuilder().AddConfiguration(own).AddInMemoryCollection(settings).Build();
        var loader = kestrel.Configure(merged);
        if (gearman is not null) loader.Endpoint(GearmanEndpointName, e => e.ListenOptions.UseGantryGearman());
        if (stomp is not null) loader.Endpoint(StompEndpointName, e => e.ListenOptions.UseGantryStomp());
    }

    private static IEnumerable<string> HttpUrls(string? gantryUrls, IConfiguration application, bool ownEndpoints)
    {
        var urls = !string.IsNullOrWhiteSpace(gantryUrls) ? gantryUrls : application[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrWhiteSpace(urls)) return ownEndpoints ? [] : [KestrelDefaultUrl];
        return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The Gearman port when the front is on and its address parses (a malformed one is reported by the
    /// options validation at start, with the other problems).</summary>
    public static IPEndPoint? GearmanEndpointFrom(IConfiguration gearman)
    {
        var listen = gearman["Listen"] is { Length: > 0 } configured ? configured : GearmanOptions.DefaultListen;
        if (string.Equals(listen.Trim(), GearmanOptions.Off, StringComparison.OrdinalIgnoreCase)) return null;
        return GearmanEndpoint.TryParse(listen, out var endpoint, out _) ? endpoint : null;
    }

    public static bool GearmanEnabled(IConfiguration gearman)
    {
        var listen = gearman["Listen"] is { Length: > 0 } configured ? configured : GearmanOptions.DefaultListen;
        return !string.Equals(listen.Trim(), GearmanOptions.Off, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The STOMP port when the front is on and its address parses (a malformed one is reported by the options
    /// validation at start).</summary>
    public static IPEndPoint? StompEndpointFrom(IConfiguration stomp)
    {
        if (!StompEnabled(stomp)) return null;
        var listen = stomp["Listen"] is { Length: > 0 } configured ? configured : StompOptions.DefaultListen;
        return ListenEndpoint.TryParse(listen, StompOptions.DefaultPort, out var endpoint, out _) ? endpoint : null;
    }

    public static bool StompEnabled(IConfiguration stomp)
    {
        var listen = stomp["Listen"] is { Length: > 0 } configured ? configured : StompOptions.DefaultListen;
        return !string.Equals(listen.Trim(), StompOptions.Off, StringComparison.OrdinalIgnoreCase);
    }

    private static string Host(IPEndPoint endpoint) => endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? $"[{endpoint.Address}]"
        : endpoint.Address.ToString();
}
