using Gantry.Contracts;

namespace Gantry.Client;

/// <summary>The worker side of the API. The worker host uses these; other runtimes can too.</summary>
public sealed partial class GantryClient
{
    /// <summary>Leases up to <paramref name="max"/> jobs of <paramref name="queue"/>, waiting up to <paramref name="wait"/> for the first.</summary>
    public async Task<IReadOnlyList<LeasedJobView>> FetchAsync(string queue, int max, TimeSpan wait, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Post, $"api/queues/{Uri.EscapeDataString(queue)}/fetch",
            new FetchRequest { Max = max, Wait = wait.TotalSeconds }, Wire.FetchRequest, Wire.FetchResponse, wait, ct).ConfigureAwait(false)).Jobs;

    public async Task<IReadOnlyList<LeaseOutcome>> HeartbeatAsync(IEnumerable<LeaseItem> leases, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Post, "api/leases/heartbeat", new LeasesRequest { Leases = leases.ToList() },
            Wire.LeasesRequest, Wire.LeaseOutcomes, TimeSpan.Zero, ct).ConfigureAwait(false)).Results;

    public async Task<IReadOnlyList<LeaseOutcome>> CompleteAsync(IEnumerable<CompletionItem> completions, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Post, "api/leases/complete", new CompleteRequest { Completions = completions.ToList() },
            Wire.CompleteRequest, Wire.LeaseOutcomes, TimeSpan.Zero, ct).ConfigureAwait(false)).Results;

    public async Task<IReadOnlyList<LeaseOutcome>> FailAsync(IEnumerable<FailureItem> failures, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Post, "api/leases/fail", new FailRequest { Failures = failures.ToList() },
            Wire.FailRequest, Wire.LeaseOutcomes, TimeSpan.Zero, ct).ConfigureAwait(false)).Results;

    public async Task<IReadOnlyList<LeaseOutcome>> ReleaseAsync(IEnumerable<LeaseItem> leases, CancellationToken ct = default) =>
        (await SendAsync(HttpMethod.Post, "api/leases/release", new LeasesRequest { Leases = leases.ToList() },
            Wire.LeasesRequest, Wire.LeaseOutcomes, TimeSpan.Zero, ct).ConfigureAwait(false)).Results;
}
