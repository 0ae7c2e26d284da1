using Gantry.Core;
using Gantry.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Http;

/// <summary>
/// Turns every failure of an API call into <c>application/problem+json</c>: the caller's mistakes into 4xx with a
/// message that says what to fix, the server's own faults into a 500 that leaks nothing.
/// </summary>
internal sealed class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> log, IOptions<GantryHttpOptions> http)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (GantryException ex) when (!context.Response.HasStarted)
        {
            if (ex.Kind == GantryErrorKind.Unavailable) context.Response.Headers.RetryAfter = RetryAfterSeconds;
            await WriteProblem(context, StatusFor(ex.Kind), TitleFor(ex.Kind), ex.Message, ex.Field);
        }
        catch (StoreUnavailableException ex) when (!context.Response.HasStarted)
        {
            // Logged once by StoreHealth, not per request. The call may have been applied before the connection broke:
            // a client that retries an enqueue should use a unique key.
            context.Response.Headers.RetryAfter = RetryAfterSeconds;
            await WriteProblem(context, StatusCodes.Status503ServiceUnavailable, "Store unavailable",
                $"{ex.Message}. Try again shortly (Retry-After: {RetryAfterSeconds} s); an enqueue that got this answer may still " +
                "have been stored, so retry it with a unique_key.", null);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            // Kestrel's own texts name its options (MaxRequestBodySize, MinRequestBodyDataRate); say it in Gantry's.
            var (title, detail) = ex.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => ("Request too large",
                    $"body: the request body is larger than {http.Value.MaxRequestBodyBytes} bytes (Gantry:Http:MaxRequestBodyBytes); " +
                    "send fewer jobs per batch call, or large data by reference."),
                StatusCodes.Status408RequestTimeout => ("Request timeout", "body: the request body arrived too slowly; the server stopped waiting for it."),
                _ => ("Bad request", "the request could not be read: it is malformed or incomplete (the connection may have been cut while sending)."),
            };
            await WriteProblem(context, ex.StatusCode, title, detail, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "body" : null);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            log.LogError(ex, "Unhandled error in {Method} {Path}", context.Request.Method, context.Request.Path);
            await WriteProblem(context, StatusCodes.Status500InternalServerError, "Server error",
                "The server failed to handle this request; the server log has the details.", null);
        }
    }

    /// <summary>Defaults to 2 seconds: what a 503 asks the client to wait before trying again (the store's listener
    /// and pools reconnect within about a second of the database being back).</summary>
    public const string RetryAfterSeconds = "2";

    internal static int StatusFor(GantryErrorKind kind) => kind switch
    {
        GantryErrorKind.Invalid => StatusCodes.Status400BadRequest,
        GantryErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        GantryErrorKind.NotFound => StatusCodes.Status404NotFound,
        GantryErrorKind.Conflict => StatusCodes.Status409Conflict,
        GantryErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    private static string TitleFor(GantryErrorKind kind) => kind switch
    {
        GantryErrorKind.Invalid => "Invalid request",
        GantryErrorKind.TooLarge => "Too large",
        GantryErrorKind.NotFound => "Not found",
        GantryErrorKind.Conflict => "Conflict",
        GantryErrorKind.Unavailable => "Unavailable",
        _ => "Invalid request",
    };

    internal static Task WriteProblem(HttpContext context, int status, string title, string detail, string? field)
    {
        var extensions = new Dictionary<string, object?>();
        if (field is not null) extensions["field"] = field;
        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions).ExecuteAsync(context);
    }
}
