using System.Text;
using Gantry.Contracts;
using Gantry.Core.Engine;
using Gantry.Hosting.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gantry.Hosting;

/// <summary>Maps Gantry's HTTP API: <c>/health</c>, everything under <c>/api</c>, and <c>/metrics</c>.</summary>
public static class GantryEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapGantry(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/health", (GantryReadiness readiness, JobEngine engine) => Results.Json(
                new HealthView { Status = readiness.IsReady ? "ok" : "starting", Store = engine.StoreCapabilities.Name, Version = GantryVersion.Current },
                GantryJsonContext.Default.HealthView,
                statusCode: readiness.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable))
            .WithSummary("200 once the server is ready to take jobs, 503 before.");

        var api = endpoints.MapGroup("/api");
        JobEndpoints.Map(api);
        QueueEndpoints.Map(api);
        LeaseEndpoints.Map(api);
        StatsEndpoints.Map(api);
        RecurringEndpoints.Map(api);
        StatsEndpoints.MapMetrics(endpoints);
        return endpoints;
    }

    /// <summary>The API's middleware: problem+json errors, the optional token, the request body limit.
    /// Call before <see cref="MapGantry"/> routes run (that is, before <c>app.Run()</c>).</summary>
    public static IApplicationBuilder UseGantry(this IApplicationBuilder app)
    {
        var server = app.ApplicationServices.GetRequiredService<IOptions<GantryServerOptions>>().Value;
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api =>
        {
            api.Use((context, next) =>
            {
                if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                    limit.MaxRequestBodySize = server.Http.MaxRequestBodyBytes;
                return next(context);
            });
            api.UseMiddleware<ApiErrorMiddleware>();
            // Answers that routing produces on its own (no such endpoint, wrong method, not JSON) get a problem body too.
            api.UseStatusCodePages(async pages =>
            {
                var context = pages.HttpContext;
                var (title, detail) = context.Response.StatusCode switch
                {
                    StatusCodes.Status404NotFound => ("Not found", $"There is no API endpoint {context.Request.Method} {context.Request.Path}; see /openapi/v1.json."),
                    StatusCodes.Status405MethodNotAllowed => ("Method not allowed", $"{context.Request.Path} does not take {context.Request.Method}; see /openapi/v1.json."),
                    StatusCodes.Status415UnsupportedMediaType => ("Unsupported media type", "Send the body as JSON with Content-Type: application/json."),
                    _ => ((string?)null, (string?)null),
                };
                if (title is not null) await ApiErrorMiddleware.WriteProblem(context, context.Response.StatusCode, title, detail!, null);
            });
            if (!string.IsNullOrEmpty(server.Http.ApiToken))
                api.UseMiddleware<ApiTokenMiddleware>(Encoding.UTF8.GetBytes(server.Http.ApiToken));
        });
        // /metrics tells queue names and load: it takes the same token as /api.
        if (!string.IsNullOrEmpty(server.Http.ApiToken))
            app.UseWhen(c => c.Request.Path.StartsWithSegments("/metrics"),
                metrics => metrics.UseMiddleware<ApiTokenMiddleware>(Encoding.UTF8.GetBytes(server.Http.ApiToken)));
        return app;
    }
}

/// <summary>The version this build reports.</summary>
public static class GantryVersion
{
    public static string Current { get; } =
        typeof(GantryVersion).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
}
