using System.Net;

namespace Gantry.Core.Options;

/// <summary>
/// The <c>HOST:PORT</c> form every protocol front's <c>Listen</c> setting takes (IPv6 in brackets), parsed in one place
/// so that Gearman and STOMP accept and refuse the same spellings with the same messages.
/// </summary>
public static class ListenEndpoint
{
    /// <summary>Parses <paramref name="text"/>; <paramref name="defaultPort"/> only shapes the examples in
    /// <paramref name="why"/>.</summary>
    public static bool TryParse(string? text, int defaultPort, out IPEndPoint endpoint, out string why)
    {
        endpoint = null!;
        text = text?.Trim();
        var example = $"127.0.0.1:{defaultPort}";
        if (string.IsNullOrEmpty(text))
        {
            why = $"expected HOST:PORT (e.g. {example}) or 'off'.";
            return false;
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 0 or > 65535)
        {
            why = $"'{text}' is not HOST:PORT with a port from 0 to 65535 (e.g. {example}, [::1]:{defaultPort}) or 'off'.";
            return false;
        }
        var host = text[..colon].Trim('[', ']');
        IPAddress? address = host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" => IPAddress.Any,
            _ => IPAddress.TryParse(host, out var ip) ? ip : null,
        };
        if (address is null)
        {
            why = $"'{host}' is not an IP address (use 127.0.0.1, ::1, 0.0.0.0 or localhost).";
            return false;
        }
        endpoint = new IPEndPoint(address, port);
        why = "";
        return true;
    }

    /// <summary><c>HOST:PORT</c> as clients write it, IPv6 in brackets.</summary>
    public static string Format(IPEndPoint endpoint) =>
        endpoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{endpoint.Address}]:{endpoint.Port}"
            : $"{endpoint.Address}:{endpoint.Port}";
}
