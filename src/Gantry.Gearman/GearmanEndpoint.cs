using System.Net;

namespace Gantry.Gearman;

/// <summary>Parses the <c>HOST:PORT</c> form of <see cref="GearmanOptions.Listen"/>.</summary>
public static class GearmanEndpoint
{
    public static bool TryParse(string? text, out IPEndPoint endpoint, out string why)
    {
        endpoint = null!;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            why = $"expected HOST:PORT (e.g. {Protocol.Gearman.GearmanPorts.DefaultLoopback}) or 'off'.";
            return false;
        }
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), out var port) || port is < 0 or > 65535)
        {
            why = $"'{text}' is not HOST:PORT with a port from 0 to 65535 (e.g. {Protocol.Gearman.GearmanPorts.DefaultLoopback}, [::1]:{Protocol.Gearman.GearmanPorts.Default}) or 'off'.";
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
}
