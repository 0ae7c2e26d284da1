using System.Net;
using Gantry.Contracts;

namespace Gantry.Client;

public sealed partial class GantryClient
{
    /// <summary>Every queue's figures over the server's window: delay and process time percentiles, jobs per minute,
    /// backlog, running jobs, and whether the queue is falling behind.</summary>
    public Task<StatsView> GetStatsAsync(CancellationToken ct = default) =>
        SendAsync<object, StatsView>(HttpMethod.Get, "api/stats", null, null, Wire.StatsView, TimeSpan.Zero, ct);

    /// <summary>One queue's figures, or null if the server knows no such queue.</summary>
    public async Task<QueueStatsView?> GetStatsAsync(string queue, CancellationToken ct = default)
    {
        try
        {
            return await SendAsync<object, QueueStatsView>(HttpMethod.Get, $"api/stats/{Uri.EscapeDataString(queue)}", null, null,
                Wire.QueueStatsView, TimeSpan.Zero, ct).ConfigureAwait(false);
        }
        catch (GantryApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
