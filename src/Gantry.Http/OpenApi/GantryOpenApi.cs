using Gantry.Contracts;
using Gantry.Core;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Gantry.Http.OpenApi;

/// <summary>
/// The OpenAPI document of the HTTP API, built on request from the endpoints' own metadata (never per API call): the
/// wire names and number rules of the contracts' serializer, every error answer as problem+json, the bearer scheme.
/// A client generated from it speaks the API as the SDK does.
/// </summary>
public static class GantryOpenApi
{
    /// <summary>The document's name: it is served at <c>/openapi/v1.json</c>.</summary>
    public const string DocumentName = "v1";

    /// <summary>Where the document is served; the 404 answers point callers to it.</summary>
    public const string Path = "/openapi/" + DocumentName + ".json";

    /// <summary>The route <c>MapOpenApi</c> serves documents on.</summary>
    public const string RoutePattern = "/openapi/{documentName}.json";

    /// <summary>The name of the bearer security scheme in <c>components.securitySchemes</c>.</summary>
    public const string BearerScheme = "bearer";

    /// <summary>The media type of every error answer (RFC 9457).</summary>
    public const string ProblemContentType = "application/problem+json";

    /// <summary>Writes the document as <c>/openapi/v1.json</c> serves it, from a composed application that need not be
    /// started (no store is opened, no port bound): <c>gantry openapi</c>, for generating a client at build time. Only
    /// <c>servers</c> differs: a served document names the address it was asked on.</summary>
    public static async Task WriteAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(DocumentName);
        var document = await provider.GetOpenApiDocumentAsync(ct);
        var version = services.GetRequiredService<IOptionsMonitor<OpenApiOptions>>().Get(DocumentName).OpenApiVersion;
        await document.SerializeAsync(new OpenApiJsonWriter(output), version, ct);
        await output.FlushAsync(ct);
    }

    public static IServiceCollection AddGantryOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            // A RawJson is any JSON value, written inline where it is used rather than as an empty named schema.
            options.CreateSchemaReferenceId = type =>
                (Nullable.GetUnderlyingType(type.Type) ?? type.Type) == typeof(RawJson) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddOperationTransformer<ProblemResponsesTransformer>();
            options.AddOperationTransformer<JobIdParameterTransformer>();
            options.AddDocumentTransformer<ContractSchemaTransformer>();
            options.AddDocumentTransformer(JobEndpoints.AddEnqueueAnswerSchema);
            options.AddDocumentTransformer<BearerTokenTransformer>();
            options.AddDocumentTransformer(ProblemResponsesTransformer.SortResponses);
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Gantry HTTP API",
                    Version = GantryVersion.Current,
                    Description =
                        "Jobs and queues over HTTP: enqueue, fetch (lease), heartbeat, complete, fail, release; queues, " +
                        "statistics and recurring schedules. Field names are snake_case; durations are seconds unless a " +
                        "name says otherwise (_ms); times are ISO 8601. Every error is application/problem+json whose " +
                        "'detail' says what to fix and whose 'field' names the request field at fault.",
                };
                return Task.CompletedTask;
            });
        });
}
