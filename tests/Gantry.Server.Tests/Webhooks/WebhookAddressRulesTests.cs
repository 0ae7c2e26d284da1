using System.Net;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Webhooks;

/// <summary><c>Gantry:Webhooks:DenyHosts</c> and <c>AllowHosts</c> as a server applies them: at PUT (400 naming
/// <c>url</c>) and again at connection time, where a URL saved under rules that allowed it is refused once the rules
/// say otherwise (a second server on the same store with a deny-list), without a byte reaching the receiver. The rules
/// do not depend on the store, so these run on SQLite only.</summary>
public sealed class WebhookAddressRulesTests : IAsyncLifetime
{
    private TestStore _store = null!;

    public Task InitializeAsync()
    {
        _store = TestStore.Sqlite();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private static Dictionary<string, string?> Rules(string kind, params string[] entries)
    {
        var settings = TestSettings.Merge(TestSettings.QuickRetries);
        for (var i = 0; i < entries.Length; i++) settings[$"Gantry:Webhooks:{kind}:{i}"] = entries[i];
        return settings;
    }

    private static Task<ApiResponse> Put(HttpClient http, string name, string topic, string url) =>
        http.SendAsync(HttpMethod.Put, $"/api/webhooks/{name}", $$"""{"topic":"{{topic}}","url":"{{url}}"}""");

    [Fact]
    public async Task A_deny_list_refuses_a_named_host_and_an_address_in_a_denied_network_at_put_naming_url()
    {
        await using var server = await InProcessServer.StartAsync(_store, Rules("DenyHosts", "localhost", "127.0.0.0/8"));
        var byName = await Put(server.Http, "by-name", "rules.deny", "http://LOCALHOST:9/hooks");
        ProblemAssert.IsProblem(byName, 400, "url", "DenyHosts", "localhost");
        Assert.Equal("url", byName.Json["field"]!.GetValue<string>());
        var byNetwork = await Put(server.Http, "by-network", "rules.deny", "http://127.0.0.2:9/hooks");
        ProblemAssert.IsProblem(byNetwork, 400, "url", "DenyHosts", "127.0.0.0/8");
        Assert.Equal(HttpStatusCode.Created, (await Put(server.Http, "elsewhere", "rules.deny", "http://198.51.100.7:9/hooks")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.ApiGetAsync("/api/webhooks/by-name")).Status);
    }

    [Fact]
    public async Task An_allow_list_refuses_a_host_it_does_not_name_at_put_naming_url()
    {
        await using var server = await InProcessServer.StartAsync(_store, Rules("AllowHosts", "198.51.100.0/24", "*.partner.example"));
        var refused = await Put(server.Http, "not-listed", "rules.allow", "http://127.0.0.1:9/hooks");
        ProblemAssert.IsProblem(refused, 400, "url", "AllowHosts");
        Assert.Equal("url", refused.Json["field"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Created, (await Put(server.Http, "listed", "rules.allow", "http://198.51.100.7:9/hooks")).Status);
    }

    [Fact]
    public async Task A_url_allowed_when_saved_is_refused_at_connection_time_when_the_rules_no_longer_allow_it()
    {
        await using var receiver = new WebhookReceiver();
        const string topic = "rules.connect";
        await using (var open = await InProcessServer.StartAsync(_store, TestSettings.QuickRetries))
            Assert.Equal(HttpStatusCode.Created, (await Put(open.Http, "saved-open", topic, receiver.Url)).Status);

        // The same store, now served under a deny-list that covers the receiver's address.
        await using var strict = await InProcessServer.StartAsync(_store, Rules("DenyHosts", "127.0.0.0/8"));
        Assert.True((await strict.Http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":"secret"}""")).Code is >= 200 and < 300);
        ApiResponse hook = null!;
        await Eventually.TrueAsync(async () =>
        {
            hook = await strict.Http.ApiGetAsync("/api/webhooks/saved-open");
            return hook.Json["deliveries"]!.AsArray().Any(d => d!["last_error"]?.GetValue<string>() is { } e && e.StartsWith("refused:", StringComparison.Ordinal));
        }, "a delivery attempt refused by the address rules");
        var delivery = hook.Json["deliveries"]!.AsArray().Single()!;
        Assert.Contains("DenyHosts", delivery["last_error"]!.GetValue<string>());
        Assert.NotEqual("succeeded", delivery["state"]!.GetValue<string>());
        Assert.Empty(receiver.Posts);
    }
}
