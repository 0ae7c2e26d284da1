namespace Gantry.Core.Webhooks;

/// <summary>The outbound HTTP port: one POST of a signed delivery. The composition root implements it over
/// <c>IHttpClientFactory</c>, connecting only to addresses <see cref="WebhookAddressGuard"/> admits.</summary>
public interface IWebhookSender
{
    /// <summary>POSTs once within <paramref name="timeout"/>. Never throws for the receiver's faults (refused address,
    /// connection error, timeout): they come back as <see cref="WebhookResponse.Error"/>.</summary>
    Task<WebhookResponse> PostAsync(Uri url, IReadOnlyList<KeyValuePair<string, string>> headers, ReadOnlyMemory<byte> body,
        string contentType, TimeSpan timeout, CancellationToken ct);
}

/// <summary>What one POST got: the status code when the receiver answered, an excerpt of its body, or why there was
/// no answer.</summary>
public sealed record WebhookResponse(int? StatusCode, string? Body, string? Error)
{
    public bool Succeeded => StatusCode is >= 200 and < 300;
}
