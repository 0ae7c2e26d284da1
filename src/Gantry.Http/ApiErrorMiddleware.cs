using Gantry.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gantry.Http;

/// <summary>
/// Turns every failure of an API call into <c>application/problem+json</c>: the caller's mistakes into 4xx with a
/// message that says what to fix, the server's own faults into a 500 that leaks nothing.
/// </summary>
internal sealed class ApiErrorMiddleware(RequestDelegate next, ILogger<ApiErrorMiddleware> log)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (GantryException ex) when (!context.Response.HasStarted)
        {
            await WriteProblem(context, StatusFor(ex.Kind), TitleFor(ex.Kind), ex.Message, ex.Field);
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            var title = ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request too large" : "Bad request";
            await WriteProblem(context, ex.StatusCode, title, ex.Message, null);
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

    internal static int StatusFor(GantryErrorKind kind) => kind switch
    {
        GantryErrorKind.Invalid => StatusCodes.Status400BadRequest,
        GantryErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        GantryErrorKind.NotFound => StatusCodes.Status404NotFound,
        GantryErrorKind.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status400BadRequest,
    };

    private static string TitleFor(GantryErrorKind kind) => kind switch
    {
        GantryErrorKind.Invalid => "Invalid request",
        GantryErrorKind.TooLarge => "Too large",
        GantryErrorKind.NotFound => "Not found",
        GantryErrorKind.Conflict => "Conflict",
        _ => "Invalid request",
    };

    internal static Task WriteProblem(HttpContext context, int status, string title, string detail, string? field)
    {
        var extensions = new Dictionary<string, object?>();
        if (field is not null) extensions["field"] = field;
        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions).ExecuteAsync(context);
    }
}
