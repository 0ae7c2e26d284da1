using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Gantry.Contracts;

namespace Gantry.Client;

/// <summary>
/// Talks to a Gantry server over its HTTP API: enqueue, look, wait, cancel, list, and the worker calls (fetch,
/// heartbeat, complete, fail, release). Thread-safe; keep one per server for the life of the application.
/// </summary>
public sealed partial class GantryClient : IDisposable
{
    private static readonly GantryJsonContext Wire = GantryJsonContext.Default;
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeSpan _requestTimeout;

    public GantryClient(GantryClientOptions options, HttpMessageHandler? handler = null)
    {
        _http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2), MaxConnectionsPerServer = 64 })
            : new HttpClient(handler);
        _ownsHttp = true;
        _http.BaseAddress = options.ServerUrl;
        _http.Timeout = Timeout.InfiniteTimeSpan; // each call sets its own deadline, long polls included
        if (!string.IsNullOrEmpty(options.Token))
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        _requestTimeout = options.RequestTimeout;
    }

    public GantryClient(string serverUrl) : this(new GantryClientOptions { ServerUrl = new Uri(serverUrl) }) { }

    /// <summary>How payloads and results of typed calls are (de)serialized. Defaults to <see cref="PayloadJson.Default"/>.</summary>
    public JsonSerializerOptions PayloadOptions { get; init; } = PayloadJson.Default;

    public Uri ServerUrl => _http.BaseAddress!;

    // ---- enqueue ------------------------------------------------------------------------------------------

    /// <summary>Enqueues <paramref name="payload"/> (serialized as JSON) on <paramref name="queue"/>.</summary>
    public Task<EnqueuedJob> EnqueueAsync<T>(string queue, T payload, EnqueueOptions? options = null, CancellationToken ct = default) =>
        EnqueueAsync(Request(queue, Json(payload), options), ct);

    /// <summary>Enqueues raw bytes; they travel as JSON if they are JSON, otherwise as base64.</summary>
    public Task<EnqueuedJob> EnqueueBytesAsync(string queue, ReadOnlyMemory<byte> payload, EnqueueOptions? options = null, CancellationToken ct = default) =>
        EnqueueAsync(Request(queue, payload, options), ct);

    public Task<EnqueuedJob> EnqueueAsync(EnqueueJobRequest request, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Post, "api/jobs", request, Wire.EnqueueJobRequest, Wire.EnqueuedJob, TimeSpan.Zero, ct);

    /// <summary>Enqueues all jobs in one transaction: all are stored or none.</summary>
    public async Task<IReadOnlyList<EnqueuedJob>> EnqueueManyAsync(IEnumerable<EnqueueJobRequest> jobs, CancellationToken ct = default)
    {
        var response = await SendAsync(HttpMethod.Post, "api/jobs/batch", new EnqueueBatchRequest { Jobs = jobs.ToList() },
            Wire.EnqueueBatchRequest, Wire.EnqueueBatchResponse, TimeSpan.Zero, ct).ConfigureAwait(false);
        return response.Jobs;
    }

    /// <summary>Builds a request for <see cref="EnqueueManyAsync"/> with a JSON payload.</summary>
    public EnqueueJobRequest Job<T>(string queue, T payload, EnqueueOptions? options = null) => Request(queue, Json(payload), options);

    /// <summary>Submit and wait: enqueues, waits up to <paramref name="timeout"/> for the result, and returns it
    /// deserialized. Throws <see cref="JobFailedException"/> if the job ends dead or cancelled, and
    /// <see cref="TimeoutException"/> if it is still unfinished when the time is up.</summary>
    public async Task<TResult?> RunAsync<TPayload, TResult>(string queue, TPayload payload, TimeSpan timeout,
        EnqueueOptions? options = null, CancellationToken ct = default)
    {
        var job = await SendAsync(HttpMethod.Post, $"api/jobs?wait={Seconds(timeout)}", Request(queue, Json(payload), options),
            Wire.EnqueueJobRequest, Wire.JobView, timeout, ct).ConfigureAwait(false);
        return ResultOf<TResult>(job);
    }

    // ---- look, wait, cancel, list -------------------------------------------------------------------------

    /// <summary>The job, or null if there is no such job.</summary>
    public async Task<JobView?> GetAsync(long id, CancellationToken ct = default)
    {
        try
        {
            return await SendAsync<object, JobView>(HttpMethod.Get, $"api/jobs/{id}", null, null, Wire.JobView, TimeSpan.Zero, ct).ConfigureAwait(false);
        }
        catch (GantryApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>The job once it is finished, or as it is when <paramref name="timeout"/> runs out (check <see cref="JobView.Finished"/>).</summary>
    public Task<JobView> WaitAsync(long id, TimeSpan timeout, CancellationToken ct = default) =>
        SendAsync<object, JobView>(HttpMethod.Get, $"api/jobs/{id}/wait?timeout={Seconds(timeout)}", null, null, Wire.JobView, timeout, ct);

    /// <summary>Waits for the job and returns its result deserialized; throws as <see cref="RunAsync{TPayload,TResult}"/> does.</summary>
    public async Task<TResult?> GetResultAsync<TResult>(long id, TimeSpan timeout, CancellationToken ct = default) =>
        ResultOf<TResult>(await WaitAsync(id, timeout, ct).ConfigureAwait(false));

    public async Task<CancelResponse> CancelAsync(long id, CancellationToken ct = default)
    {
        try
        {
            return await SendAsync<object, CancelResponse>(HttpMethod.Post, $"api/jobs/{id}/cancel", null, null, Wire.CancelResponse, TimeSpan.Zero, ct)
                .ConfigureAwait(false);
        }
        catch (GantryApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            return new CancelResponse { Outcome = "already_finished", Job = await GetAsync(id, ct).ConfigureAwait(false) };
        }
    }

    public Task<JobPageView> ListJobsAsync(string? queue = null, string? state = null, int? limit = null, long? before = null, CancellationToken ct = default)
    {
        var query = new List<string>();
        if (queue is not null) query.Add("queue=" + Uri.EscapeDataString(queue));
        if (state is not null) query.Add("state=" + Uri.EscapeDataString(state));
        if (limit is not null) query.Add("limit=" + limit);
        if (before is not null) query.Add("before=" + before);
        var path = "api/jobs" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
        return SendAsync<object, JobPageView>(HttpMethod.Get, path, null, null, Wire.JobPageView, TimeSpan.Zero, ct);
    }

    public async Task<IReadOnlyList<QueueView>> ListQueuesAsync(CancellationToken ct = default) =>
        (await SendAsync<object, QueueListView>(HttpMethod.Get, "api/queues", null, null, Wire.QueueListView, TimeSpan.Zero, ct).ConfigureAwait(false)).Queues;

    /// <summary>Pauses a queue. A queue nobody has used yet is refused (a typo must not make a queue) unless
    /// <paramref name="create"/>.</summary>
    public Task PauseQueueAsync(string queue, CancellationToken ct = default, bool create = false) =>
        SendAsync<object, object>(HttpMethod.Post, $"api/queues/{Uri.EscapeDataString(queue)}/pause{(create ? "?create=true" : "")}", null, null, null, TimeSpan.Zero, ct);

    public Task ResumeQueueAsync(string queue, CancellationToken ct = default) =>
        SendAsync<object, object>(HttpMethod.Post, $"api/queues/{Uri.EscapeDataString(queue)}/resume", null, null, null, TimeSpan.Zero, ct);

    /// <summary>One queue, or a <see cref="GantryApiException"/> (404) when the server knows no such queue.</summary>
    public Task<QueueView> GetQueueAsync(string queue, CancellationToken ct = default) =>
        SendAsync<object, QueueView>(HttpMethod.Get, $"api/queues/{Uri.EscapeDataString(queue)}", null, null, Wire.QueueView, TimeSpan.Zero, ct);

    /// <summary>Sets a queue's lane (<c>memory</c> or <c>durable</c>) and pause; what is null stays. Creates the queue.</summary>
    public Task<QueueView> SetQueueAsync(string queue, string? lane = null, bool? paused = null, CancellationToken ct = default) =>
        SendAsync(HttpMethod.Put, $"api/queues/{Uri.EscapeDataString(queue)}", new QueueSettingsRequest { Lane = lane, Paused = paused },
            Wire.QueueSettingsRequest, Wire.QueueView, TimeSpan.Zero, ct);

    /// <summary>The server's health; throws if it cannot be reached.</summary>
    public Task<HealthView> HealthAsync(CancellationToken ct = default) =>
        SendAsync<object, HealthView>(HttpMethod.Get, "health", null, null, Wire.HealthView, TimeSpan.Zero, ct);

    // ---- helpers ------------------------------------------------------------------------------------------

    private EnqueueJobRequest Request(string queue, ReadOnlyMemory<byte> payload, EnqueueOptions? options)
    {
        var (json, base64) = Payloads.ToWire(payload);
        return new EnqueueJobRequest
        {
            Queue = queue,
            Payload = json,
            PayloadBase64 = base64,
            RunAt = options?.RunAt,
            Delay = options?.Delay?.TotalSeconds,
            Priority = options?.Priority,
            UniqueKey = options?.UniqueKey,
            MaxAttempts = options?.MaxAttempts,
            Timeout = options?.Timeout?.TotalSeconds,
        };
    }

    private byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, PayloadOptions);

    private TResult? ResultOf<TResult>(JobView job)
    {
        if (!job.Finished) throw new TimeoutException($"Job {job.Id} is still {job.State}; it did not finish in the time given.");
        if (job.State != "succeeded") throw new JobFailedException(job.Id, job.State, job.Errors.LastOrDefault()?.Message);
        var bytes = Payloads.FromWire(job.Result, job.ResultBase64, "result");
        return bytes.IsEmpty ? default : JsonSerializer.Deserialize<TResult>(bytes.Span, PayloadOptions);
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);

    internal async Task<TResponse> SendAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest? body,
        JsonTypeInfo<TRequest>? requestType, JsonTypeInfo<TResponse>? responseType, TimeSpan extraWait, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_requestTimeout + extraWait);
        using var request = new HttpRequestMessage(method, path);
        if (body is not null && requestType is not null)
        {
            // Serialized up front so the request carries a Content-Length: a streamed (chunked) body costs the
            // server an extra read and the caller about a millisecond per call.
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, requestType));
            request.Content.Headers.ContentType = JsonMediaType;
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"{method} {path} got no answer from {ServerUrl} within {Seconds(_requestTimeout + extraWait)} seconds.");
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode) throw await ProblemAsync(response, timeout.Token).ConfigureAwait(false);
            if (responseType is null) return default!;
            try
            {
                return await response.Content.ReadFromJsonAsync(responseType, timeout.Token).ConfigureAwait(false)
                       ?? throw new InvalidOperationException($"{method} {path}: the server sent an empty answer.");
            }
            catch (JsonException)
            {
                // The serializer's text names .NET types; what the caller needs to know is that this is not a Gantry answer.
                throw new InvalidOperationException($"{method} {path}: the answer from {ServerUrl} is not what a Gantry server sends; is that address a Gantry server?");
            }
        }
    }

    private static async Task<GantryApiException> ProblemAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        string title = response.ReasonPhrase ?? "Error", detail = text, field = "";
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.TryGetProperty("title", out var t)) title = t.GetString() ?? title;
            if (doc.RootElement.TryGetProperty("detail", out var d)) detail = d.GetString() ?? detail;
            if (doc.RootElement.TryGetProperty("field", out var f)) field = f.GetString() ?? "";
        }
        catch (JsonException)
        {
            // Not problem+json (a proxy's page, say): keep the raw text as the detail.
        }
        return new GantryApiException(response.StatusCode, title, string.IsNullOrWhiteSpace(detail) ? title : detail, field.Length == 0 ? null : field);
    }

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}
