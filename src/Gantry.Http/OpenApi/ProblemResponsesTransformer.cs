using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gantry.Http.OpenApi;

/// <summary>
/// Says what each error answer an operation declares means, in the API's terms, and that a 503 comes with
/// <c>Retry-After</c>. The answers themselves are declared by the endpoints (<c>ProducesProblem</c>) and the bearer
/// token (<see cref="BearerTokenTransformer"/>).
/// </summary>
internal sealed class ProblemResponsesTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var (status, candidate) in operation.Responses ?? [])
        {
            if (candidate is not OpenApiResponse response || response.Content?.ContainsKey(GantryOpenApi.ProblemContentType) != true) continue;
            if (Describe(status) is { } description) response.Description = description;
            if (status == "503")
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before trying again.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
                };
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Success first, then the errors, each by status: the order a reader (and a generated client's docs)
    /// expects. Run last, over the whole document, after every endpoint's own transformers.</summary>
    public static Task SortResponses(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            if (operation.Responses is not { Count: > 1 } responses) continue;
            var sorted = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
            responses.Clear();
            foreach (var (status, response) in sorted) responses[status] = response;
        }
        return Task.CompletedTask;
    }

    private static string? Describe(string status) => status switch
    {
        "400" => "The request is not valid: 'detail' says what to fix and 'field' names the request field.",
        "404" => "There is no such job, queue or schedule ('field' names which input).",
        "409" => "The request is valid but the current state refuses it; 'detail' says why.",
        "413" => "Too large: the body is over Gantry:Http:MaxRequestBodyBytes, or a payload, result, unique key, batch or " +
                 "field is over its limit ('field' names it).",
        "415" => "The body must be JSON, sent with Content-Type: application/json.",
        "503" => "The store cannot be reached (or the memory lane is full): try again after Retry-After seconds. An enqueue " +
                 "answered so may still have been stored: retry it with a unique_key.",
        _ => null,
    };
}
