using System.Text;
using Gantry.Contracts;
using Gantry.Core;
using Gantry.Core.Engine;
using Gantry.Core.Options;
using Gantry.Core.Storage;
using Gantry.Http.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gantry.Http;

/// <summary>
/// The HTTP API as a front: its services, its middleware and its endpoints. Gantry.Hosting's <c>AddGantry</c> and
/// <c>MapGantry</c> call these; nothing else needs to.
/// </summary>
public static class HttpApiExtensions
{
    /// <summary>Where the OpenAPI document is served; the 404 answers point callers to it.</summary>
    public const string OpenApiPath = GantryOpenApi.Path;

    /// <summary>Registers the API's options (<c>Gantry:Http</c>), its JSON contracts and its OpenAPI document.</summary>
    public static IServiceCollection AddGantryHttpApi(this IServiceCollection services, IConfiguration httpSection)
    {
        services.AddOptions<GantryHttpOptions>().Bind(httpSection).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GantryHttpOptions>, SelfValidatingOptionsValidator<GantryHttpOptions>>();
        services.AddSingleton<StoreProbe>();
        services.AddGantryOpenApi();
        // The endpoints write with the contracts' own type infos; the host's JSON options are left as the host set them.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, GantryJsonContext.Default));
        return services;
    }

    /// <summary>The API's middleware: problem+json errors, the optional token, the request body limit. Call before the
    /// routes run (that is, before <c>app.Run()</c>).</summary>
    public static IApplicationBuilder UseGantryHttpApi(this IApplicationBuilder app)
    {
        var http = app.ApplicationServices.GetRequiredService<IOptions<GantryHttpOptions>>().Value;
        app.UseWhen(c => c.Request.Path.StartsWithSegments(ApiTokenMiddleware.ApiPrefix), api =>
        {
            api.Use((context, next) =>
            {
                if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                    limit.MaxRequestBodySize = http.MaxRequestBodyBytes;
                return next(context);
            });
            api.UseMiddleware<ApiErrorMiddleware>();
            // Answers that routing produces on its own (no such endpoint, wrong method, not JSON) get a problem body too.
            api.UseStatusCodePages(async pages =>
            {
                var context = pages.HttpContext;
                var (title, detail) = context.Response.StatusCode switch
                {
                    StatusCodes.Status404NotFound => ("Not found", $"There is no API endpoint {context.Request.Method} {context.Request.Path}; see {OpenApiPath}."),
                    StatusCodes.Status405MethodNotAllowed => ("Method not allowed", $"{context.Request.Path} does not take {context.Request.Method}; see {OpenApiPath}."),
                    StatusCodes.Status415UnsupportedMediaType => ("Unsupported media type", "Send the body as JSON with Content-Type: application/json."),
                    // A bare 400 is the framework's (a parameter that did not bind); its reason is in the server log only,
                    // written for .NET developers, so the caller gets a pointer to the contract instead.
                    StatusCodes.Status400BadRequest => ("Bad request", $"The request does not fit {context.Request.Method} {context.Request.Path}; see {OpenApiPath}."),
                    _ => ((string?)null, (string?)null),
                };
                if (title is not null) await ApiErrorMiddleware.WriteProblem(context, context.Response.StatusCode, title, detail!, null);
            });
            if (!string.IsNullOrEmpty(http.ApiToken))
                api.UseMiddleware<ApiTokenMiddleware>(Encoding.UTF8.GetBytes(http.ApiToken));
        });
        // /metrics reads the store (queue counts): its errors are answered as /api's are (a 503 while the store is away).
        // It tells queue names and load, so it takes the same token as /api.
        app.UseWhen(c => c.Request.Path.StartsWithSegments(ApiTokenMiddleware.MetricsPath), metrics =>
        {
            metrics.UseMiddleware<ApiErrorMiddleware>();
            if (!string.IsNullOrEmpty(http.ApiToken)) metrics.UseMiddleware<ApiTokenMiddleware>(Encoding.UTF8.GetBytes(http.ApiToken));
        });
        return app;
    }

    /// <summary>Maps <c>/health</c> (<c>/health/live</c>, <c>/health/ready</c>), everything under <c>/api</c>, <c>/metrics</c>
    /// and the OpenAPI document.</summary>
    public static IEndpointRouteBuilder MapGantryHttpApi(this IEndpointRouteBuilder endpoints)
    {
        HealthEndpoints.Map(endpoints);

        // Every API call can meet a store that is down (503); the token's 401 is declared by the document, only on a
        // server that asks for one.
        var api = endpoints.MapGroup(ApiTokenMiddleware.ApiPrefix).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        JobEndpoints.Map(api);
        QueueEndpoints.Map(api);
        LeaseEndpoints.Map(api);
        StatsEndpoints.Map(api);
        RecurringEndpoints.Map(api);
        TopicEndpoints.Map(api);
        TopicEventEndpoints.Map(api);
        GroupEndpoints.Map(api);
        WebhookEndpoints.Map(api);
        StatsEndpoints.MapMetrics(endpoints);
        endpoints.MapOpenApi(GantryOpenApi.RoutePattern);
        return endpoints;
    }
}
