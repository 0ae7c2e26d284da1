using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Gantry.Http.OpenApi;

/// <summary>
/// The <c>{id}</c> of <c>/api/jobs/{id}…</c> is a job id: a positive integer. The handlers take it as text to answer a
/// malformed one with a problem of their own, so the generator alone would call it a string.
/// </summary>
internal sealed class JobIdParameterTransformer : IOpenApiOperationTransformer
{
    private const string JobRoute = "api/jobs/{id}";

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.RelativePath?.StartsWith(JobRoute, StringComparison.Ordinal) != true) return Task.CompletedTask;
        foreach (var candidate in operation.Parameters ?? [])
        {
            if (candidate is not OpenApiParameter { In: ParameterLocation.Path, Name: "id" } parameter) continue;
            parameter.Description = "The job's id.";
            parameter.Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64", Minimum = "1" };
        }
        return Task.CompletedTask;
    }
}
