using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;

namespace Gantry.Http.OpenApi;

/// <summary>
/// What an endpoint declares about itself for the OpenAPI document: its operation id, the JSON body it reads, the
/// query parameters it parses by hand, and the errors it can answer. All of it is endpoint metadata, read only when the
/// document is generated.
/// </summary>
internal static class OpenApiEndpointExtensions
{
    /// <summary>The operation id a generated client names its method after (<c>EnqueueJob</c> → <c>EnqueueJobAsync</c>).
    /// Set on the operation only, not as the endpoint's name, which must be unique in an application hosting Gantry.</summary>
    public static TBuilder WithOperationId<TBuilder>(this TBuilder builder, string operationId) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.OperationId = operationId;
            return Task.CompletedTask;
        });

    /// <summary>A JSON body of <typeparamref name="T"/>: routing answers 415 to any other content type, the body limit
    /// (Gantry:Http:MaxRequestBodyBytes) 413, a body that is not valid JSON for <typeparamref name="T"/> 400.</summary>
    public static RouteHandlerBuilder AcceptsJson<T>(this RouteHandlerBuilder builder, bool optional = false) where T : notnull =>
        builder.Accepts<T>(optional, "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    /// <summary>Error answers (problem+json) the endpoint gives besides those every API call can get.</summary>
    public static RouteHandlerBuilder ProducesProblems(this RouteHandlerBuilder builder, params int[] statusCodes)
    {
        foreach (var status in statusCodes) builder.ProducesProblem(status);
        return builder;
    }

    /// <summary>A query parameter the handler reads itself (so the generator cannot see it); <paramref name="maximum"/>
    /// reads a configured limit when the document is generated.</summary>
    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder builder, string name, JsonSchemaType type, string description,
        string? format = null, double? minimum = null, Func<IServiceProvider, double>? maximum = null) =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Required = false,
                Description = description,
                Schema = new OpenApiSchema
                {
                    Type = type,
                    Format = format,
                    Minimum = minimum?.ToString(CultureInfo.InvariantCulture),
                    Maximum = maximum?.Invoke(context.ApplicationServices).ToString(CultureInfo.InvariantCulture),
                },
            });
            return Task.CompletedTask;
        });
}
