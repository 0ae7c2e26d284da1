using System.Net;
using Gantry.Client;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>A server started with an API token: every /api call must carry it as a bearer token; /health stays open.</summary>
public sealed class ApiTokenTests : IAsyncLifetime
{
    private const string Token = "test-token-0123456789abcdef";
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

    private Task<ApiResponse> EnqueueWith(string? token, string? scheme = "Bearer")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs")
        {
            Content = new StringContent("""{"queue":"secured","payload":1}""", System.Text.Encoding.UTF8, "application/json"),
        };
        if (token is not null) request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {token}");
        return Send(request);
    }

    private async Task<ApiResponse> Send(HttpRequestMessage request)
    {
        using (request)
        using (var response = await _server.Http.SendAsync(request))
            return new ApiResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData(null, "Bearer")]
    [InlineData("wrong-token-0123456789abcdef", "Bearer")]
    [InlineData("test-token-0123456789abcde", "Bearer")]
    [InlineData("test-token-0123456789abcdef0", "Bearer")]
    [InlineData(Token, "Basic")]
    [InlineData("", "Bearer")]
    public async Task Api_call_without_the_right_bearer_token_is_401_problem_and_stores_nothing(string? token, string scheme)
    {
        var r = await EnqueueWith(token, scheme);

        ProblemAssert.IsProblem(r, 401, "token");
        var page = await _server.Http.SendAsync(HttpMethod.Get, "/api/jobs?queue=secured", token: Token);
        Assert.Empty(page.Json["jobs"]!.AsArray());
    }

    [Fact]
    public async Task Api_call_with_the_token_succeeds()
    {
        var r = await EnqueueWith(Token);
        Assert.Equal(HttpStatusCode.Created, r.Status);
        var id = r.Json["id"]!.GetValue<long>();
        Assert.Equal(HttpStatusCode.OK, (await _server.Http.SendAsync(HttpMethod.Get, $"/api/jobs/{id}", token: Token)).Status);
    }

    [Fact]
    public async Task Every_api_route_is_guarded_even_ones_that_do_not_exist()
    {
        foreach (var (method, path) in new[] { ("GET", "/api/jobs"), ("GET", "/api/queues"), ("GET", "/api/jobs/1"),
                     ("POST", "/api/queues/q/fetch"), ("POST", "/api/queues/q/pause"), ("POST", "/api/leases/complete"), ("GET", "/api/nothing") })
        {
            ProblemAssert.IsProblem(await _server.Http.SendAsync(new HttpMethod(method), path, method == "POST" ? "{}" : null), 401, "token");
        }
    }

    [Fact]
    public async Task Health_stays_open_without_a_token()
    {
        var r = await _server.Http.ApiGetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, r.Status);
        Assert.Equal("ok", r.Json["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sdk_client_sends_its_token_and_without_one_gets_an_exception_saying_401()
    {
        using var withToken = _server.NewClient(Token);
        var job = await withToken.EnqueueAsync("secured-sdk", new { n = 1 });
        Assert.Equal(job.Id, (await withToken.GetAsync(job.Id))!.Id);

        using var without = _server.NewClient();
        var ex = await Assert.ThrowsAsync<GantryApiException>(() => without.EnqueueAsync("secured-sdk", new { n = 2 }));
        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Contains("token", ex.Message, StringComparison.OrdinalIgnoreCase);
    }
}
