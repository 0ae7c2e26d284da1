using System.Globalization;

namespace Gantry.Workers.Child.Gearman;

/// <summary>Where a pool's Gearman functions are served: <c>HOST:PORT</c>.</summary>
public sealed record GearmanEndpoint(string Host, int Port)
{
    /// <summary>Gantry's (and gearmand's) default Gearman port on loopback.</summary>
    public const string Default = Protocol.Gearman.GearmanPorts.DefaultLoopback;

    public static bool TryParse(string? text, out GearmanEndpoint endpoint)
    {
        endpoint = null!;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1) return false;
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535) return false;
        endpoint = new GearmanEndpoint(text[..colon].Trim('[', ']'), port);
        return true;
    }

    public override string ToString() => $"{Host}:{Port}";
}
