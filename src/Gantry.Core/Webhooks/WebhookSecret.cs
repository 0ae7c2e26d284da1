using System.Security.Cryptography;

namespace Gantry.Core.Webhooks;

/// <summary>Signing secrets in the Standard Webhooks form: <c>whsec_</c> followed by the base64 of the HMAC key.</summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";

    /// <summary>32 bytes for a generated key: the size of HMAC-SHA256's output, inside the 24-64 bytes the Standard
    /// Webhooks specification recommends.</summary>
    public const int GeneratedKeyBytes = 32;

    /// <summary>At least 16 bytes (128 bits) for a given key: shorter keys are guessable.</summary>
    public const int MinKeyBytes = 16;

    /// <summary>At most 64 bytes: HMAC-SHA256 hashes longer keys down anyway; longer secrets only cost bytes.</summary>
    public const int MaxKeyBytes = 64;

    public static string Generate() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(GeneratedKeyBytes));

    /// <summary>The HMAC key of a secret; throws naming <c>secret</c> when it is not one.</summary>
    public static byte[] Key(string secret, string field = "secret")
    {
        if (!secret.StartsWith(Prefix, StringComparison.Ordinal))
            throw GantryException.Invalid(field, $"a secret starts with '{Prefix}' followed by base64 (leave it out to have one made).");
        byte[] key;
        try
        {
            key = Convert.FromBase64String(secret[Prefix.Length..]);
        }
        catch (FormatException)
        {
            throw GantryException.Invalid(field, $"the part after '{Prefix}' must be base64.");
        }
        if (key.Length < MinKeyBytes || key.Length > MaxKeyBytes)
            throw GantryException.Invalid(field, $"the key must be {MinKeyBytes} to {MaxKeyBytes} bytes (got {key.Length}).");
        return key;
    }

    /// <summary>The secret as listings show it: the prefix and its first characters, enough to tell secrets apart.</summary>
    public static string Mask(string secret) => secret.Length <= Prefix.Length + 4 ? Prefix + "…" : secret[..(Prefix.Length + 4)] + "…";
}
