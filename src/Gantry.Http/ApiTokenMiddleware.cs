using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Gantry.Http;

/// <summary>When an API token is configured, <c>/api</c> calls must present it as a bearer token.</summary>
internal sealed class ApiTokenMiddleware(RequestDelegate next, byte[] token)
{
    /// <summary>Where the token is asked for: the API, and <c>/metrics</c>, which tells queue names and load. The
    /// OpenAPI document declares the requirement on the same paths.</summary>
    public const string ApiPrefix = "/api", MetricsPath = "/metrics";

    public static bool Guards(PathString path) => path.StartsWithSegments(ApiPrefix) || path.StartsWithSegments(MetricsPath);

    public Task InvokeAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) &&
            CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), token))
        {
            return next(context);
        }
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return ApiErrorMiddleware.WriteProblem(context, StatusCodes.Status401Unauthorized, "Unauthorized",
            "This server requires an API token: send 'Authorization: Bearer <token>' (the SDK and CLI read GANTRY_TOKEN).", null);
    }
}
