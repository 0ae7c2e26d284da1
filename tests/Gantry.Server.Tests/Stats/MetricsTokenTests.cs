using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Stats;

/// <summary>With an API token configured, <c>/metrics</c> and <c>/api/stats</c> need it like the rest of <c>/api</c>;
/// without one, /metrics is open (loopback by default).</summary>
public sealed class MetricsTokenTests : IAsyncLifetime
{
    private const string Token = "metrics-token-0123456789";
    private TestStore _store = null!;
    private InProcessServer _server = null!;

    public async Task InitializeAsync()
    {
        _store = TestStore.Sqlite();
        _server = await InProcessServer.StartAsync(_store, new Dictionary<string, string?> { ["Gantry:Http:ApiToken"] = Token });
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _store.DisposeAsync();
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/api/stats")]
    [InlineData("/api/stats/some-queue")]
    public async Task Without_the_token_the_answer_is_401(string path)
    {
        ProblemAssert.IsProblem(await _server.Http.SendAsync(HttpMethod.Get, path), 401, "token");
        ProblemAssert.IsProblem(await _server.Http.SendAsync(HttpMethod.Get, path, token: "wrong-token-0123456789"), 401, "token");
    }

    [Fact]
    public async Task With_the_token_metrics_and_stats_answer()
    {
        var metrics = await _server.Http.SendAsync(HttpMethod.Get, "/metrics", token: Token);
        Assert.Equal(HttpStatusCode.OK, metrics.Status);
        Assert.Contains("# TYPE gantry_jobs_processed_total counter", metrics.Body);

        using var client = _server.NewClient(Token);
        Assert.Equal(300, (await client.GetStatsAsync()).WindowSeconds);
    }
}
