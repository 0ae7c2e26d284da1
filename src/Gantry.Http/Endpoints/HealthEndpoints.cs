using Gantry.Contracts;
using Gantry.Core;
using Gantry.Core.Engine;
using Gantry.Core.Storage;
using Gantry.Http.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gantry.Http;

/// <summary>
/// Liveness and readiness, as orchestrators ask: <c>/health/live</c> is 200 while the process serves HTTP at all;
/// <c>/health/ready</c> (and <c>/health</c>) is 200 only when the store is open and answers a round trip now, 503 with
/// the reason otherwise, so a load balancer sends no traffic to a server whose database is down.
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var health = endpoints.MapGroup("/health").WithTags("Health");
        health.MapGet("/live", () => Results.Json(new HealthView { Status = "alive", Version = GantryVersion.Current },
                GantryJsonContext.Default.HealthView))
            .WithOperationId("GetLiveness").Produces<HealthView>()
            .WithSummary("200 while the server process runs; says nothing about the store.");
        health.MapGet("/ready", Ready).WithOperationId("GetReadiness").Produces<HealthView>().Produces<HealthView>(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("200 when the store is open and reachable now; 503 with the reason otherwise.");
        health.MapGet("", Ready).WithOperationId("GetHealth").Produces<HealthView>().Produces<HealthView>(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("The same as /health/ready.");
    }

    private static async Task<IResult> Ready(StoreHealth health, StoreProbe probe, JobEngine engine, HttpContext context)
    {
        var store = engine.StoreCapabilities.Name;
        if (!health.IsOpen) return Answer("starting", store, null, StatusCodes.Status503ServiceUnavailable);
        var failure = await probe.CheckAsync(context.RequestAborted);
        return failure is null
            ? Answer("ok", store, null, StatusCodes.Status200OK)
            : Answer("store_unreachable", store, failure, StatusCodes.Status503ServiceUnavailable);
    }

    private static IResult Answer(string status, string store, string? detail, int code) => Results.Json(
        new HealthView { Status = status, Store = store, Version = GantryVersion.Current, Detail = detail },
        GantryJsonContext.Default.HealthView, statusCode: code);
}

/// <summary>Asks the store for a round trip at most once a second however often readiness is polled, with a bound on
/// how long the answer may take.</summary>
public sealed class StoreProbe(IStore store, StoreHealth health, TimeProvider time)
{
    /// <summary>Defaults to 1 second during which a readiness answer is reused.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);

    /// <summary>Defaults to 2 seconds before a store that does not answer counts as unreachable.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private (DateTimeOffset At, string? Failure)? _last;

    /// <summary>Null when the store answered; else why it did not.</summary>
    public async Task<string?> CheckAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        lock (_gate)
        {
            // A failure is reused only while the store is still known to be down: a call that reached it since ends it.
            if (_last is { } last && now - last.At < CacheFor && (last.Failure is null || health.IsUnreachable)) return last.Failure;
        }
        string? failure = null;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(Timeout);
        try
        {
            await store.StorePing(limit.Token).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex)
        {
            failure = ex.Message;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            failure = $"the {store.Capabilities.Name} store did not answer within {Timeout.TotalSeconds:0} s";
        }
        lock (_gate) _last = (time.GetUtcNow(), failure);
        return failure;
    }
}
