namespace Gantry.Core.Queues;

/// <summary>The rule for queue names, shared by every front so a name valid over HTTP is valid over Gearman.</summary>
public static class QueueName
{
    /// <summary>128 characters: room for namespaced names (<c>billing.invoices:eu</c>) without inviting payloads-as-names.</summary>
    public const int MaxLength = 128;

    /// <summary>Letters, digits and <c>_ . : -</c>: safe in URL paths, file names, log lines and SQL identifiers' neighbourhoods.</summary>
    public static bool IsValid(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength) return false;
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '-')) return false;
        }
        return true;
    }

    /// <summary>Throws a <see cref="GantryException"/> naming <paramref name="field"/> when the name is not valid.</summary>
    public static string Validate(string? name, string field = "queue")
    {
        if (IsValid(name)) return name!;
        if (string.IsNullOrEmpty(name)) throw GantryException.Invalid(field, "a queue name is required.");
        if (name.Length > MaxLength) throw GantryException.Invalid(field, $"queue names are at most {MaxLength} characters (got {name.Length}).");
        throw GantryException.Invalid(field, $"'{Shorten(name)}' is not a valid queue name: use letters, digits and _ . : - only.");
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
