using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Gantry.Contracts;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>
/// <c>/openapi/v1.json</c> as a running server serves it, walked whole: field names as the contracts' serializer writes
/// them, numbers that are only numbers, every error answer as problem details, the bearer token where the server asks
/// for it, operation ids a generated client can name methods after. A server with a token and one without.
/// </summary>
public sealed partial class OpenApiDocumentTests : IAsyncLifetime
{
    private const string Token = "openapi-document-token-0123456789";
    private TestStore _store = null!, _openStore = null!;
    private InProcessServer _server = null!, _open = null!;
    private JsonObject _document = null!;

    public async Task InitializeAsync()
    {
        _store = TestStore.Sqlite();
        _openStore = TestStore.Sqlite();
        _server = await InProcessServer.StartAsync(_store, new Dictionary<string, string?> { ["Gantry:Http:ApiToken"] = Token });
        _open = await InProcessServer.StartAsync(_openStore);
        _document = await DocumentOf(_server);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _open.DisposeAsync();
        await _store.DisposeAsync();
        await _openStore.DisposeAsync();
    }

    private static async Task<JsonObject> DocumentOf(InProcessServer server)
    {
        // The document itself is public (it describes the API, it does not use it), like /health.
        var r = await server.Http.ApiGetAsync("/openapi/v1.json");
        Assert.True(r.Status == HttpStatusCode.OK, r.ToString());
        return r.Json.AsObject();
    }

    private JsonObject Schemas => _document["components"]!["schemas"]!.AsObject();

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();

    [Fact]
    public void Every_schema_names_its_fields_as_the_contracts_serializer_does_in_snake_case()
    {
        var contracts = typeof(GantryJsonContext).Assembly;
        foreach (var (name, schema) in Schemas)
        {
            if (name == "ProblemDetails") continue; // ASP.NET Core's, with its own names (RFC 9457)
            if (name == "EnqueueJobAnswer")
            {
                // What POST /api/jobs answers: an EnqueuedJob, or with ?wait a JobView; it has the fields of both.
                var both = GantryJsonContext.Default.EnqueuedJob.Properties.Concat(GantryJsonContext.Default.JobView.Properties)
                    .Select(p => p.Name).Distinct();
                Assert.Equal(both, schema!["properties"]!.AsObject().Select(p => p.Key));
                continue;
            }
            var type = contracts.GetType($"{nameof(Gantry)}.{nameof(Contracts)}.{name}");
            Assert.True(type is not null, $"schema {name} is not a wire contract");
            var wire = GantryJsonContext.Default.GetTypeInfo(type);
            Assert.True(wire is { Kind: JsonTypeInfoKind.Object }, $"{name} is not serialized by GantryJsonContext");

            var documented = schema!["properties"]!.AsObject().Select(p => p.Key).ToList();
            Assert.Equal(wire.Properties.Select(p => p.Name), documented);
            Assert.All(documented, p => Assert.Matches(SnakeCase(), p));
        }
        Assert.Contains("max_attempts", Schemas["EnqueueJobRequest"]!["properties"]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void No_number_in_the_document_accepts_a_string()
    {
        var numbers = 0;
        Walk(_document, node =>
        {
            // A "properties" object may have a field named type: its value is a schema, not a type name.
            if (node["type"] is not { } type || type is JsonObject) return;
            var types = type is JsonArray array ? array.Select(t => t!.GetValue<string>()).ToList() : [type.GetValue<string>()];
            if (!types.Contains("integer") && !types.Contains("number")) return;
            numbers++;
            Assert.True(!types.Contains("string") && node["pattern"] is null, $"a number that also takes a string: {node.ToJsonString()}");
        });
        Assert.True(numbers > 50, $"only {numbers} number schemas: the walk missed most of the document");
    }

    [Fact]
    public void Every_api_operation_lists_its_errors_as_problem_details_and_requires_the_bearer_token()
    {
        var scheme = _document["components"]!["securitySchemes"]!["bearer"]!;
        Assert.Equal("http", scheme["type"]!.GetValue<string>());
        Assert.Equal("bearer", scheme["scheme"]!.GetValue<string>());

        foreach (var (path, method, operation) in Operations(_document))
        {
            var at = $"{method.ToUpperInvariant()} {path}";
            var responses = operation["responses"]!.AsObject();
            var guarded = path.StartsWith("/api/", StringComparison.Ordinal) || path == "/metrics";
            Assert.True(guarded == (operation["security"] is not null), $"{at}: security is {operation["security"]?.ToJsonString() ?? "absent"}");
            if (!guarded) continue;

            Assert.Equal("""[{"bearer":[]}]""", operation["security"]!.ToJsonString());
            Assert.True(responses.ContainsKey("401"), $"{at} does not list 401");
            if (path == "/metrics") continue;

            Assert.True(responses.ContainsKey("503"), $"{at} does not list 503 (store unavailable)");
            Assert.NotNull(responses["503"]!["headers"]?["Retry-After"]);
            if (operation["requestBody"] is not null)
                Assert.All(new[] { "400", "413", "415" }, s => Assert.True(responses.ContainsKey(s), $"{at} takes a body but does not list {s}"));
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                if (operation["operationId"]!.GetValue<string>() == "CancelJob" && status == "409")
                {
                    // Cancelling a finished job answers the job as it is (outcome already_finished), not a problem.
                    Assert.Equal("#/components/schemas/CancelResponse", response!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
                    continue;
                }
                var content = response!["content"]!.AsObject();
                Assert.True(content.Count == 1 && content.ContainsKey("application/problem+json"), $"{at} {status}: {content.ToJsonString()}");
                Assert.Equal("#/components/schemas/ProblemDetails", content["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
                Assert.False(string.IsNullOrWhiteSpace(response["description"]?.GetValue<string>()), $"{at} {status} has no description");
            }
        }
        Assert.NotNull(Schemas["ProblemDetails"]!["properties"]!["field"]);
    }

    [Fact]
    public async Task A_server_without_a_token_asks_for_none_and_lists_no_401()
    {
        var document = await DocumentOf(_open);

        Assert.NotNull(document["components"]!["securitySchemes"]!["bearer"]); // declared, so a client knows of it
        foreach (var (path, method, operation) in Operations(document))
        {
            Assert.True(operation["security"] is null, $"{method} {path} asks for a token on a server that has none");
            Assert.False(operation["responses"]!.AsObject().ContainsKey("401"), $"{method} {path} lists a 401 it cannot answer");
        }
        Assert.Equal(Operations(_document).Count(), Operations(document).Count());
    }

    [Fact]
    public void Every_operation_has_a_unique_operation_id_a_summary_and_a_tag()
    {
        var ids = new List<string>();
        foreach (var (path, method, operation) in Operations(_document))
        {
            var id = operation["operationId"]?.GetValue<string>();
            Assert.True(id is not null && Regex.IsMatch(id, "^[A-Z][A-Za-z]+$"), $"{method} {path}: operationId {id}");
            Assert.False(string.IsNullOrWhiteSpace(operation["summary"]?.GetValue<string>()), $"{id} has no summary");
            Assert.Single(operation["tags"]!.AsArray());
            ids.Add(id);
        }
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Contains("EnqueueJob", ids);
        Assert.Contains("FetchJobs", ids);
        Assert.Contains("CompleteJob", ids);
    }

    [Fact]
    public void Query_and_path_parameters_the_handlers_read_are_listed_with_their_types()
    {
        var parameters = Operations(_document).ToDictionary(o => o.Operation["operationId"]!.GetValue<string>(),
            o => o.Operation["parameters"]?.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!) ?? []);

        Assert.Equal("number", parameters["EnqueueJob"]["wait"]["schema"]!["type"]!.GetValue<string>());
        Assert.Equal("number", parameters["WaitForJob"]["timeout"]["schema"]!["type"]!.GetValue<string>());
        Assert.Equal(["queue", "state", "limit", "before"], parameters["ListJobs"].Keys);
        Assert.Equal("boolean", parameters["PauseQueue"]["create"]["schema"]!["type"]!.GetValue<string>());
        Assert.Equal("integer", parameters["GetJob"]["id"]["schema"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Every_reference_resolves()
    {
        var references = 0;
        Walk(_document, node =>
        {
            if (node["$ref"] is not { } reference) return;
            references++;
            var parts = reference.GetValue<string>().TrimStart('#', '/').Split('/');
            JsonNode? target = _document;
            foreach (var part in parts) target = target?[part];
            Assert.True(target is not null, $"{reference} does not resolve");
        });
        Assert.True(references > 50);
    }

    [Fact]
    public void A_response_field_is_required_exactly_when_it_cannot_be_null_and_a_required_request_field_cannot_be_null()
    {
        foreach (var (name, schema) in Schemas)
        {
            if (name is "ProblemDetails" or "EnqueueJobAnswer") continue; // the answer's own rule is asserted below
            var required = schema!["required"]?.AsArray().Select(r => r!.GetValue<string>()).ToHashSet() ?? [];
            var properties = schema["properties"]!.AsObject();
            var isRequest = schema["additionalProperties"]?.GetValue<bool>() == false;
            foreach (var (property, value) in properties)
            {
                var nullable = AllowsNull(value!);
                if (isRequest)
                    Assert.False(required.Contains(property) && nullable, $"{name}.{property} is required but may be null");
                else
                    Assert.True(required.Contains(property) != nullable, $"{name}.{property}: required {required.Contains(property)}, nullable {nullable}");
            }
        }
        Assert.Equal(["id", "state"], Schemas["EnqueueJobAnswer"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(["queue"], Schemas["EnqueueJobRequest"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(["id", "attempt"], Schemas["CompletionItem"]!["required"]!.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public void The_document_the_generated_client_was_built_from_is_the_one_a_server_with_a_token_serves()
    {
        var built = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "openapi", "gantry-openapi.json")))!.AsObject();
        var served = _document.DeepClone().AsObject();
        served.Remove("servers"); // the served one names the address it was asked on

        Assert.True(JsonNode.DeepEquals(built, served), "the build-time document (gantry openapi) differs from the served one");
    }

    [Fact]
    public async Task Gantry_openapi_prints_the_served_document_without_opening_a_store_or_a_port()
    {
        using var folder = new TempFolder("gantry-openapi");

        var run = await GantryCli.RunAsync(["openapi"], workingDirectory: folder.Path);

        Assert.True(run.ExitCode == 0, run.ToString());
        var printed = JsonNode.Parse(run.Stdout)!.AsObject();
        var served = (await DocumentOf(_open)).DeepClone().AsObject();
        served.Remove("servers");
        Assert.True(JsonNode.DeepEquals(served, printed), "gantry openapi (no token) differs from what a server without a token serves");
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path)); // no data folder: no store was opened
    }

    /// <summary>A schema that admits null: a null type, a oneOf with a null branch, or any value at all (<c>{}</c>).</summary>
    private static bool AllowsNull(JsonNode schema) =>
        schema is JsonObject o && (o.Count == 0 || (o.Count == 1 && o.ContainsKey("description")) ||
                                   o["type"] is JsonArray types && types.Any(t => t!.GetValue<string>() == "null") ||
                                   o["oneOf"] is JsonArray options && options.Any(x => x!["type"]?.ToString() == "null"));

    private static void Walk(JsonNode? node, Action<JsonObject> visit)
    {
        switch (node)
        {
            case JsonObject o:
                visit(o);
                foreach (var (_, child) in o) Walk(child, visit);
                break;
            case JsonArray a:
                foreach (var child in a) Walk(child, visit);
                break;
        }
    }
}
