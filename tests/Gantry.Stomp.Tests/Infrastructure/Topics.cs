using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Gantry.Stomp.Tests.Infrastructure;

/// <summary>The HTTP side of a topic, to prove STOMP and HTTP see the same messages.</summary>
public static class Topics
{
    /// <summary>A topic name no other test uses.</summary>
    public static string Fresh(string prefix = "stomp") => $"{prefix}-{Guid.NewGuid():N}"[..24];

    public static async Task<JsonObject> PublishAsync(HttpClient http, string topic, string json, Dictionary<string, string>? headers = null)
    {
        var body = new JsonObject { ["payload"] = JsonNode.Parse(json) };
        if (headers is not null) body["headers"] = new JsonObject(headers.Select(h => KeyValuePair.Create(h.Key, (JsonNode?)h.Value)));
        using var response = await http.PostAsJsonAsync($"/api/topics/{topic}/messages", body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public static async Task<JsonArray> MessagesAsync(HttpClient http, string topic)
    {
        var page = (await http.GetFromJsonAsync<JsonObject>($"/api/topics/{topic}/messages?after=0"))!;
        return page["messages"]!.AsArray();
    }
}
