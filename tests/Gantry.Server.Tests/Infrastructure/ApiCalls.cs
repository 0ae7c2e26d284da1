using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Gantry.Server.Tests.Infrastructure;

/// <summary>An HTTP answer as the wire carried it.</summary>
public sealed record ApiResponse(HttpStatusCode Status, string? ContentType, string Body, string? RetryAfter = null)
{
    public int Code => (int)Status;

    /// <summary>The body parsed as JSON; fails the test if it is not JSON.</summary>
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new Xunit.Sdk.XunitException($"empty JSON body ({Code})");

    /// <summary>A top-level field's JSON text exactly as the server wrote it (spacing included).</summary>
    public string RawField(string name)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(Body);
        return doc.RootElement.GetProperty(name).GetRawText();
    }

    public override string ToString() => $"{Code} {ContentType}: {Body}";
}

/// <summary>Raw calls to the HTTP API: what a non-.NET client would send, with the answer kept as it came.</summary>
public static class ApiCalls
{
    public static async Task<ApiResponse> SendAsync(this HttpClient http, HttpMethod method, string path, string? body = null,
        string? contentType = "application/json", string? token = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (contentType is not null) request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return new ApiResponse(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(),
            response.Headers.RetryAfter?.ToString());
    }

    public static Task<ApiResponse> ApiPostAsync(this HttpClient http, string path, string? body = null, string? contentType = "application/json") =>
        http.SendAsync(HttpMethod.Post, path, body, contentType);

    public static Task<ApiResponse> ApiGetAsync(this HttpClient http, string path) => http.SendAsync(HttpMethod.Get, path);

    // ---- the calls most tests make ------------------------------------------------------------------------

    /// <summary>Enqueues and returns the new job's id; fails unless the server answered 201.</summary>
    public static async Task<long> EnqueueAsync(this HttpClient http, string queue, string payloadJson = "{}", string extraFields = "")
    {
        var r = await http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload":{{payloadJson}}{{extraFields}}}""");
        Assert.True(r.Status == HttpStatusCode.Created, $"enqueue: {r}");
        return r.Json["id"]!.GetValue<long>();
    }

    /// <summary>Fetches (leases) up to <paramref name="max"/> jobs, long-polling up to <paramref name="wait"/> seconds.</summary>
    public static async Task<JsonArray> FetchAsync(this HttpClient http, string queue, int max = 1, double wait = 0)
    {
        var r = await http.ApiPostAsync($"/api/queues/{queue}/fetch", $$"""{"max":{{max}},"wait":{{wait}}}""");
        Assert.True(r.Status == HttpStatusCode.OK, $"fetch: {r}");
        return r.Json["jobs"]!.AsArray();
    }

    /// <summary>Fetches exactly one job, waiting up to <paramref name="wait"/> seconds for it.</summary>
    public static async Task<(long Id, int Attempt)> FetchOneAsync(this HttpClient http, string queue, double wait = 10)
    {
        var jobs = await http.FetchAsync(queue, 1, wait);
        Assert.True(jobs.Count == 1, $"expected one job from queue {queue} within {wait} s, got {jobs.Count}");
        return (jobs[0]!["id"]!.GetValue<long>(), jobs[0]!["attempt"]!.GetValue<int>());
    }

    public static async Task<JsonNode> GetJobAsync(this HttpClient http, long id)
    {
        var r = await http.ApiGetAsync($"/api/jobs/{id}");
        Assert.True(r.Status == HttpStatusCode.OK, $"get job {id}: {r}");
        return r.Json;
    }

    public static async Task<string> StateOfAsync(this HttpClient http, long id) =>
        (await http.GetJobAsync(id))["state"]!.GetValue<string>();
}

/// <summary>Checks the API's error contract: a 4xx status, <c>application/problem+json</c>, and a detail that names the problem.</summary>
public static class ProblemAssert
{
    /// <summary>Asserts <paramref name="response"/> is a problem with <paramref name="status"/> whose detail mentions
    /// every one of <paramref name="mentions"/> (case-insensitive).</summary>
    public static void IsProblem(ApiResponse response, int status, params string[] mentions)
    {
        Assert.True(response.Code == status, $"expected {status}, got {response}");
        Assert.True(response.ContentType == "application/problem+json", $"expected application/problem+json, got {response}");
        var problem = response.Json;
        Assert.Equal(status, problem["status"]?.GetValue<int>());
        var detail = problem["detail"]?.GetValue<string>() ?? "";
        Assert.False(string.IsNullOrWhiteSpace(detail), $"the problem has no detail: {response}");
        foreach (var m in mentions)
            Assert.True(detail.Contains(m, StringComparison.OrdinalIgnoreCase), $"the detail should mention '{m}': {detail}");
    }

    /// <summary>Asserts the problem's detail is said in the API's terms: no .NET type or member names
    /// (<c>System.Int64</c>, <c>Nullable`1</c>, <c>Gantry.Contracts.EnqueueJobRequest</c>), no advice meant for .NET
    /// developers ("Change the reader options"), no TimeSpan such as <c>11574.01:46:40</c>; and, when
    /// <paramref name="field"/> is given, the problem's <c>field</c> is that JSON field and the detail names it.</summary>
    public static void SpeaksTheUsersTerms(ApiResponse response, string? field = null)
    {
        var problem = response.Json;
        var detail = problem["detail"]?.GetValue<string>() ?? "";
        foreach (var leak in new[] { "System.", "`1", "Gantry.", "reader options", ".NET", "LineNumber", "BytePositionInLine", "Path: $" })
            Assert.False(detail.Contains(leak, StringComparison.OrdinalIgnoreCase), $"the detail leaks '{leak}': {detail}");
        // Dotted .NET names (Contracts.EnqueueJobRequest, Generic.List) and TimeSpans (1.00:00:00, 02:00:00).
        Assert.DoesNotMatch(@"\b[A-Z][A-Za-z0-9]*\.[A-Z][A-Za-z0-9]*", detail);
        Assert.DoesNotMatch(@"\b\d{1,2}:\d\d:\d\d\b", detail);
        if (field is null) return;
        Assert.True(problem["field"]?.GetValue<string>() == field, $"the problem should name the field '{field}': {response}");
        Assert.True(detail.StartsWith(field + ":", StringComparison.Ordinal), $"the detail should start with the field '{field}': {detail}");
    }

    /// <summary>Asserts a client error (any 4xx) in problem+json form.</summary>
    public static void IsClientError(ApiResponse response, params string[] mentions)
    {
        Assert.True(response.Code is >= 400 and < 500, $"expected a 4xx, got {response}");
        IsProblem(response, response.Code, mentions);
    }
}
