using Gantry.Storage.Postgres;
using Microsoft.Extensions.Options;

namespace Gantry.Hosting;

/// <summary>Checks server settings at start, each message naming its setting and what would be accepted.</summary>
internal sealed class GantryServerOptionsValidator : IValidateOptions<GantryServerOptions>
{
    public ValidateOptionsResult Validate(string? name, GantryServerOptions options)
    {
        var errors = new List<string>();
        if (options.UsesPostgres)
        {
            try { PostgresConnectionString.Normalize(options.Store!); }
            catch (ArgumentException ex) { errors.Add($"Gantry:Store (--store, GANTRY_STORE): {ex.Message}"); }
        }
        else if (string.IsNullOrWhiteSpace(options.Data))
        {
            errors.Add("Gantry:Data (--data, GANTRY_DATA) must name a folder for the embedded store.");
        }
        else if (File.Exists(options.Data))
        {
            errors.Add($"Gantry:Data (--data, GANTRY_DATA): {Path.GetFullPath(options.Data)} is a file; the embedded store needs a folder (it is created if missing).");
        }
        foreach (var url in (options.Urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url.Replace("://*", "://0.0.0.0").Replace("://+", "://0.0.0.0"), UriKind.Absolute, out var uri) ||
                uri.Scheme is not ("http" or "https"))
                errors.Add($"Gantry:Urls (--urls, GANTRY_URLS): '{url}' is not an http:// or https:// address such as {Contracts.GantryPorts.DefaultUrl}.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
