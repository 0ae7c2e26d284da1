using System.Net;
using System.Net.Sockets;

namespace Gantry.Core.Webhooks;

/// <summary>
/// Applies <see cref="WebhookAddressPolicy"/> to a URL at the two moments it matters: when a webhook is saved (so the
/// operator hears at once, naming <c>url</c>) and when a delivery connects (DNS may answer differently by then; the
/// sender connects only to the addresses checked here, so a name cannot be re-pointed between check and use).
/// </summary>
public sealed class WebhookAddressGuard(WebhookAddressPolicy policy)
{
    /// <summary>The addresses <paramref name="host"/> may be reached at on <paramref name="port"/>; throws
    /// <see cref="WebhookAddressRefusedException"/> when the policy refuses it or it does not resolve.</summary>
    public async Task<IPAddress[]> ResolveAsync(string host, int port, CancellationToken ct)
    {
        var bare = host.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(bare, out var literal)) addresses = [literal];
        else
        {
            try
            {
                addresses = await Dns.GetHostAddressesAsync(bare, ct).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new WebhookAddressRefusedException($"host '{bare}' does not resolve ({e.SocketErrorCode}).");
            }
            if (addresses.Length == 0) throw new WebhookAddressRefusedException($"host '{bare}' does not resolve.");
        }
        if (policy.Refusal(bare, port, addresses) is { } why) throw new WebhookAddressRefusedException(why);
        return addresses;
    }
}

/// <summary>A webhook's address is refused by the address rules or does not resolve.</summary>
public sealed class WebhookAddressRefusedException(string message) : Exception(message);
