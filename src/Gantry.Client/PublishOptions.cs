namespace Gantry.Client;

/// <summary>How one message is published; every field is optional.</summary>
public sealed class PublishOptions
{
    /// <summary>The message id. Publishing the same id again within the topic's dedup window stores nothing new and
    /// answers with the first offset (<c>Duplicate</c>): give one when you retry publishes, so a retry cannot make a
    /// second copy. The server makes one up when left out.</summary>
    public string? Id { get; init; }
    /// <summary>Defaults to <c>application/json</c> for typed payloads and none for bytes.</summary>
    public string? ContentType { get; init; }
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}
