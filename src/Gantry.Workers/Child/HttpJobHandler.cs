using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gantry.Client.Workers;
using Gantry.Workers.Config;

namespace Gantry.Workers.Child;

/// <summary>
/// Works a job by POSTing its payload to the pool's <c>url</c> (as application/json when it is JSON, else as
/// application/octet-stream; the job's id, queue and attempt in <c>Gantry-Job-Id</c>, <c>Gantry-Queue</c>,
/// <c>Gantry-Attempt</c> headers). A 2xx answer is success with the body as the result. A 4xx answer other than 408
/// (timeout) and 429 (too many requests) says the request itself is wrong, so the job is discarded; anything else
/// (5xx, 408, 429, other codes, no answer at all) fails it for a retry with backoff.
/// </summary>
internal sealed class HttpJobHandler(PoolConfig pool, HttpClient http) : IJobHandler
{
    /// <summary>Defaults to the first 2 KiB of an error answer's body in the job's error.</summary>
    public const int ErrorBodyChars = 2048;

    private readonly Uri _url = pool.Url ?? throw new InvalidOperationException($"Pool {pool.Name} has no url.");

    public async Task<JobResult> HandleAsync(JobContext job, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ReadOnlyMemoryContent(job.Payload) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(IsJson(job.Payload) ? "application/json" : "application/octet-stream");
        request.Headers.Add("Gantry-Job-Id", job.Id.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Gantry-Queue", job.Queue);
        request.Headers.Add("Gantry-Attempt", job.Attempt.ToString(CultureInfo.InvariantCulture));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode) return body.Length == 0 ? JobResult.None : JobResult.Raw(body);

        var status = (int)response.StatusCode;
        var message = $"{_url} answered {status} {response.ReasonPhrase}{Excerpt(body)}";
        if (IsPermanent(response.StatusCode)) throw new DiscardJobException(message);
        throw new HttpRequestException(message, null, response.StatusCode);
    }

    /// <summary>4xx means the request is wrong and will be wrong again, except "too slow" and "too many".</summary>
    internal static bool IsPermanent(HttpStatusCode code) =>
        (int)code is >= 400 and < 500 && code is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests);

    private static bool IsJson(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty) return false;
        try
        {
            var reader = new Utf8JsonReader(payload.Span);
            while (reader.Read()) { }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Excerpt(byte[] body)
    {
        if (body.Length == 0) return "";
        var text = Encoding.UTF8.GetString(body).Trim();
        return ": " + (text.Length > ErrorBodyChars ? text[..ErrorBodyChars] + "…" : text);
    }
}
