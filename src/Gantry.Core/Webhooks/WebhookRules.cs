using Gantry.Core.Options;

namespace Gantry.Core.Webhooks;

/// <summary>What a webhook's name, URL and secret must be, in the API's terms (each error names its field).</summary>
public static class WebhookRules
{
    /// <summary>100 characters: with the <see cref="WebhookQueues.Prefix"/> the delivery queue's name stays within
    /// <see cref="Queues.QueueName.MaxLength"/>.</summary>
    public const int MaxNameLength = 100;

    public static string ValidateName(string? name)
    {
        if (string.IsNullOrEmpty(name)) throw GantryException.Invalid("name", "a webhook name is required.");
        if (name.Length > MaxNameLength) throw GantryException.Invalid("name", $"webhook names are at most {MaxNameLength} characters (got {name.Length}).");
        if (!Queues.QueueName.IsValid(name))
            throw GantryException.Invalid("name", $"'{Shorten(name)}' is not a valid webhook name: use letters, digits and _ . : - only.");
        return name;
    }

    /// <summary>An absolute http or https URL without user info or fragment, within the length limit.</summary>
    public static Uri ValidateUrl(string? url, WebhookOptions options)
    {
        if (string.IsNullOrEmpty(url)) throw GantryException.Invalid("url", "give the URL to POST messages to (https://…).");
        if (url.Length > options.MaxUrlLength)
            throw GantryException.Invalid("url", $"a webhook URL is at most {options.MaxUrlLength} characters (Gantry:Webhooks:MaxUrlLength); got {url.Length}.");
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
            throw GantryException.Invalid("url", $"'{Shorten(url)}' is not an absolute URL (https://receiver.example/hooks).");
        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            throw GantryException.Invalid("url", $"a webhook URL must be http or https (got '{uri.Scheme}').");
        if (uri.UserInfo.Length > 0) throw GantryException.Invalid("url", "a webhook URL must not carry a user name or password; authenticate by the signature.");
        if (uri.Fragment.Length > 0) throw GantryException.Invalid("url", "a webhook URL must not have a fragment (#…).");
        return uri;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
