using System.Net;

namespace Gantry.Gearman;

/// <summary>Parses the <c>HOST:PORT</c> form of <see cref="GearmanOptions.Listen"/> (the rules every front shares are
/// <see cref="Core.Options.ListenEndpoint"/>).</summary>
public static class GearmanEndpoint
{
    public static bool TryParse(string? text, out IPEndPoint endpoint, out string why) =>
        Core.Options.ListenEndpoint.TryParse(text, Protocol.Gearman.GearmanPorts.Default, out endpoint, out why);
}
