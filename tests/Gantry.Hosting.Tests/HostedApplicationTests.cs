using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Gantry.Testing;
using Xunit;

namespace Gantry.Hosting.Tests;

/// <summary>
/// samples/Gantry.Samples.Hosted, an ordinary ASP.NET Core application with <c>builder.AddGantry()</c> and
/// <c>app.MapGantry()</c>, serves the whole server: its own endpoint enqueues in-process, Gantry's HTTP API and OpenAPI
/// document are on the application's port, and the Gearman front answers real Gearman clients.
/// </summary>
public sealed class HostedApplicationTests : IAsyncLifetime
{
    private readonly TempFolder _data = new("gantry-hosted");
    private readonly int _gearmanPort = FreePort.Next();
    private readonly string _url = FreePort.LoopbackUrl();
    private ChildProcess _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Gantry.Samples.Hosted.dll");
        _app = ChildProcess.StartDotnet(dll,
            ["--urls", _url, $"--Gantry:Data={_data.Path}", $"--Gantry:Gearman:Listen=127.0.0.1:{_gearmanPort}", "--Gantry:Stomp:Listen=off"],
            new Dictionary<string, string?> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["GANTRY_URLS"] = null },
            AppContext.BaseDirectory);
        await _app.WaitForLineAsync(l => l.Contains("Application started", StringComparison.Ordinal), "the application's start line");
        _http = new HttpClient { BaseAddress = new Uri(_url), Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public async Task The_applications_endpoint_enqueues_in_process_and_an_http_worker_of_the_same_process_works_the_job()
    {
        var first = await PostJson("/signup", """{"email":"ada@example.org"}""");
        var again = await PostJson("/signup", """{"email":"ada@example.org"}""");
        var id = first["job_id"]!.GetValue<long>();
        Assert.Equal(id, again["job_id"]!.GetValue<long>()); // the unique key held: one mail

        var fetched = await PostJson("/api/queues/welcome-mail/fetch", """{"max":1,"wait":5}""");
        var job = Assert.Single(fetched["jobs"]!.AsArray())!;
        Assert.Equal(id, job["id"]!.GetValue<long>());
        Assert.Equal("ada@example.org", job["payload"]!["Email"]!.GetValue<string>());
        await PostJson($"/api/jobs/{id}/complete", $$"""{"attempt":{{job["attempt"]}},"result":"sent"}""");

        var state = await _http.GetFromJsonAsync<JsonObject>($"/signup/{id}");
        Assert.Equal("succeeded", state!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_gearman_front_listens_in_the_hosted_application_and_real_gearman_clients_use_it()
    {
        var port = _gearmanPort.ToString();
        await using var worker = ChildProcess.Start("gearman", ["-h", "127.0.0.1", "-p", port, "-w", "-f", "reverse", "-c", "1", "--", "rev"]);
        var client = await ChildProcess.RunAsync("gearman", ["-h", "127.0.0.1", "-p", port, "-f", "reverse", "hello"]);

        Assert.True(client.ExitCode == 0, $"{client}\n--- worker ---\n{worker.Stdout}\n{worker.Stderr}\n--- app ---\n{_app.Stdout}\n{_app.Stderr}");
        Assert.Equal("olleh", client.Stdout.Trim());
    }

    [Fact]
    public async Task The_openapi_document_the_404_answers_point_to_is_served()
    {
        using var missing = await _http.GetAsync("/api/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var problem = await missing.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Contains("/openapi/v1.json", problem!["detail"]!.GetValue<string>());

        using var document = await _http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        var openapi = await document.Content.ReadFromJsonAsync<JsonObject>();
        Assert.NotNull(openapi!["paths"]!["/api/jobs"]);
        // Gantry's shapes as its API writes them, although the application's own JSON options stay camelCase.
        var enqueue = openapi["components"]!["schemas"]!["EnqueueJobRequest"]!["properties"]!.AsObject();
        Assert.Contains("max_attempts", enqueue.Select(p => p.Key));
        Assert.DoesNotContain("maxAttempts", enqueue.Select(p => p.Key));
    }

    private async Task<JsonObject> PostJson(string path, string json)
    {
        using var response = await _http.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {body}\n{_app.Stdout}\n{_app.Stderr}");
        return JsonNode.Parse(body)!.AsObject();
    }
}
