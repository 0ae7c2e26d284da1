using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Gantry.Http.OpenApi;

/// <summary>
/// The API token in the document: the bearer scheme is always declared; on a server with a token
/// (<c>Gantry:Http:ApiToken</c>) every operation the token guards (<see cref="ApiTokenMiddleware.Guards"/>) requires it
/// and lists the 401 it answers without it. A server without a token asks for none, and its document says so.
/// </summary>
internal sealed class BearerTokenTransformer : IOpenApiDocumentTransformer
{
    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[GantryOpenApi.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "Authorization: Bearer <token>, the server's Gantry:Http:ApiToken (the SDK and CLI send GANTRY_TOKEN). " +
                          "Asked for on /api and /metrics only when the server is configured with a token.",
        };

        var http = context.ApplicationServices.GetRequiredService<IOptions<GantryHttpOptions>>().Value;
        if (string.IsNullOrEmpty(http.ApiToken)) return;

        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        const string problem = nameof(ProblemDetails);
        if (!document.Components.Schemas.ContainsKey(problem))
            document.AddComponent(problem, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), cancellationToken: cancellationToken));

        foreach (var (path, item) in document.Paths)
        {
            if (!ApiTokenMiddleware.Guards(new PathString(path)) || item.Operations is null) continue;
            foreach (var operation in item.Operations.Values)
            {
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(GantryOpenApi.BearerScheme, document)] = [] }];
                operation.Responses ??= new OpenApiResponses();
                operation.Responses["401"] = new OpenApiResponse
                {
                    Description = "The request carried no bearer token, or not this server's.",
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        [GantryOpenApi.ProblemContentType] = new() { Schema = new OpenApiSchemaReference(problem, document) },
                    },
                };
            }
        }
    }
}
