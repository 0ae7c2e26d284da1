using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Gantry.Contracts;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Gantry.Http.OpenApi;

/// <summary>
/// Describes each wire shape as the API's own serializer (<see cref="GantryJsonContext"/>) reads and writes it. The
/// document generator builds schemas from the application's HTTP JSON options, which an application hosting Gantry
/// owns (camelCase, numbers from strings); changing those would change the host's own endpoints, so the contracts'
/// metadata is applied here instead: the contracts' property names, their number handling (strict: a number sent as a
/// string is refused), and, in response shapes, every property the server always writes marked required.
/// </summary>
internal sealed class ContractSchemaTransformer : IOpenApiDocumentTransformer
{
    /// <summary>Every wire shape the contracts' serializer writes as an object, by the schema id the generator gives it.</summary>
    private static readonly Lazy<IReadOnlyList<Type>> ContractTypes = new(() => typeof(GantryJsonContext).Assembly.GetExportedTypes()
        .Where(t => !t.IsGenericTypeDefinition && GantryJsonContext.Default.GetTypeInfo(t) is { Kind: JsonTypeInfoKind.Object })
        .ToList());

    // Over the named schemas once they are all made: a schema transformer does not see every nested shape with its own
    // type (the items of a nullable list arrive as the list), so a shape could escape it.
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (document.Components?.Schemas is not { } schemas) return Task.CompletedTask;
        var host = context.ApplicationServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions;
        if (schemas.TryGetValue(nameof(ProblemDetails), out var problem) && problem is OpenApiSchema problemSchema) DescribeProblem(problemSchema);
        foreach (var type in ContractTypes.Value)
        {
            var generated = host.GetTypeInfo(type);
            if (OpenApiOptions.CreateDefaultSchemaReferenceId(generated) is { } id && schemas.TryGetValue(id, out var candidate) &&
                candidate is OpenApiSchema schema)
                Apply(schema, generated, GantryJsonContext.Default.GetTypeInfo(type)!);
        }
        return Task.CompletedTask;
    }

    /// <param name="schema">The named schema of the type.</param>
    /// <param name="generated">The type as the generator saw it, through the host's JSON options.</param>
    /// <param name="wire">The type as the API reads and writes it.</param>
    private static void Apply(OpenApiSchema schema, JsonTypeInfo generated, JsonTypeInfo wire)
    {
        if (schema.Properties is not { Count: > 0 }) return;
        var renamed = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        var required = new HashSet<string>(StringComparer.Ordinal);
        var isRequest = (wire.UnmappedMemberHandling ?? wire.Options.UnmappedMemberHandling) == JsonUnmappedMemberHandling.Disallow;
        foreach (var property in generated.Properties)
        {
            if (!schema.Properties.TryGetValue(property.Name, out var propertySchema)) continue;
            var contract = Counterpart(wire, property);
            renamed[contract.Name] = propertySchema;
            if ((contract.NumberHandling ?? wire.NumberHandling ?? wire.Options.NumberHandling) == JsonNumberHandling.Strict)
                StrictNumbers(propertySchema);
            // A request field is required when the server refuses a request without it (DataAnnotations [Required] on the
            // contract); a response field when the server always writes it (never null, so never left out).
            if (schema.Required?.Contains(property.Name) == true)
            {
                required.Add(contract.Name);
                if (isRequest) NotNull(propertySchema); // the server refuses a null as it refuses a missing value
            }
            else if (!isRequest && AlwaysWritten(contract))
            {
                required.Add(contract.Name);
            }
        }
        if (renamed.Count != schema.Properties.Count)
            throw new InvalidOperationException($"{wire.Type.Name}: the document has fields the contracts' serializer does not write.");
        schema.Properties = renamed;
        schema.Required = required;
    }

    /// <summary>The contract's property for the generator's: the same member of the same type.</summary>
    private static JsonPropertyInfo Counterpart(JsonTypeInfo wire, JsonPropertyInfo generated)
    {
        var member = MemberName(generated);
        return wire.Properties.FirstOrDefault(p => MemberName(p) == member)
               ?? throw new InvalidOperationException($"{wire.Type.Name}.{member} has no counterpart in the contracts' serializer.");
    }

    private static string MemberName(JsonPropertyInfo property) =>
        property.AttributeProvider is MemberInfo member ? member.Name : property.Name;

    /// <summary>Written whenever its object is: not nullable (nulls are the only values left out).</summary>
    private static bool AlwaysWritten(JsonPropertyInfo property) =>
        property.Get is not null && property.ShouldSerialize is null &&
        (property.PropertyType.IsValueType ? Nullable.GetUnderlyingType(property.PropertyType) is null : !property.IsGetNullable);

    private static void NotNull(IOpenApiSchema candidate)
    {
        if (candidate is OpenApiSchema { Type: { } type } schema) schema.Type = type & ~JsonSchemaType.Null;
    }

    /// <summary>A number the serializer reads strictly is a JSON number only: no string alternative, no pattern for one.</summary>
    private static void StrictNumbers(IOpenApiSchema candidate)
    {
        if (candidate is not OpenApiSchema schema) return; // a reference: its target gets its own turn
        if (schema.Type is { } type && (type & (JsonSchemaType.Integer | JsonSchemaType.Number)) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }
        if (schema.Items is { } items) StrictNumbers(items);
        if (schema.AdditionalProperties is { } values) StrictNumbers(values);
        foreach (var option in schema.OneOf ?? []) StrictNumbers(option);
        foreach (var option in schema.AnyOf ?? []) StrictNumbers(option);
    }

    /// <summary>The API's problem bodies: numbers written as numbers, and the one extension the API adds.</summary>
    private static void DescribeProblem(OpenApiSchema schema)
    {
        foreach (var property in schema.Properties?.Values ?? []) StrictNumbers(property);
        schema.Description = "An error (RFC 9457): 'title' names the kind, 'detail' says what to fix.";
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["field"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "The request field at fault, as named in the request (for example jobs[3].queue), when there is one.",
        };
    }
}
