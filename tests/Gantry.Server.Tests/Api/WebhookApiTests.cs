using System.Net;
using System.Security.Cryptography;
using System.Text;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Server.Tests.Webhooks;
using Gantry.Testing;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>Webhooks end to end: messages POSTed in order to a receiver on a real socket, signed the Standard Webhooks way
/// (checked here and by the npm package standardwebhooks), retried after a failure with the attempts in the history, and
/// URLs that are malformed or point at the server itself refused naming <c>url</c>.</summary>
public abstract class WebhookApiTests(ServerFixture fixture)
{
    private readonly HttpClient _http = fixture.Server.Http;

    private static string Topic() => "wh." + Guid.NewGuid().ToString("N")[..12];
    private static string Name() => "hook-" + Guid.NewGuid().ToString("N")[..10];

    private static string Secret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private Task<ApiResponse> Put(string name, string body) => _http.SendAsync(HttpMethod.Put, $"/api/webhooks/{name}", body);

    private static string ExpectedSignature(string secret, ReceivedPost post)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var signed = Encoding.UTF8.GetBytes($"{post.Headers["webhook-id"]}.{post.Headers["webhook-timestamp"]}.").Concat(post.Body).ToArray();
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, signed));
    }

    [Fact]
    public async Task Messages_arrive_in_order_with_valid_signatures_and_the_webhook_headers()
    {
        await using var receiver = new WebhookReceiver();
        var (topic, name) = (Topic(), Name());
        var put = await Put(name, $$"""{"topic":"{{topic}}","url":"{{receiver.Url}}"}""");
        Assert.Equal(HttpStatusCode.Created, put.Status);
        var secret = put.Json["secret"]!.GetValue<string>();
        Assert.StartsWith("whsec_", secret);
        Assert.Equal(32, Convert.FromBase64String(secret["whsec_".Length..]).Length);

        for (var i = 1; i <= 5; i++) await _http.ApiPostAsync($"/api/topics/{topic}/messages", $"{{\"payload\":{{\"n\":{i}}}}}");
        await Eventually.TrueAsync(() => receiver.Posts.Count >= 5, "five deliveries");

        var posts = receiver.Posts.ToArray();
        Assert.Equal([1L, 2L, 3L, 4L, 5L], posts.Select(p => p.Offset));
        Assert.Equal(Enumerable.Range(1, 5).Select(i => $"{{\"n\":{i}}}"), posts.Select(p => p.Text));
        foreach (var post in posts)
        {
            Assert.Equal("POST", post.Method);
            Assert.Equal(ExpectedSignature(secret, post), post.Headers["webhook-signature"]);
            Assert.StartsWith($"{topic}:", post.Headers["webhook-id"]);
            Assert.EndsWith($":{post.Offset}", post.Headers["webhook-id"]);
            Assert.Equal(topic, post.Headers["gantry-topic"]);
            Assert.Equal(name, post.Headers["gantry-webhook"]);
            Assert.StartsWith("application/json", post.ContentType);
            var age = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(post.Headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(age, -5, 60);
        }
        Assert.Equal(5, posts.Select(p => p.Headers["webhook-id"]).Distinct().Count());

        var get = await _http.ApiGetAsync($"/api/webhooks/{name}");
        Assert.Equal(HttpStatusCode.OK, get.Status);
        Assert.EndsWith("…", get.Json["secret"]!.GetValue<string>()); // masked after creation
        await Eventually.TrueAsync(async () =>
            (await _http.ApiGetAsync($"/api/webhooks/{name}")).Json["cursors"]!.AsArray().Any(c => c!["offset"]!.GetValue<long>() == 5),
            "the cursor to reach offset 5");
    }

    [Fact]
    public async Task A_failed_post_is_retried_with_the_same_id_and_the_history_shows_the_attempts()
    {
        await using var receiver = new WebhookReceiver(500, 503);
        var (topic, name, secret) = (Topic(), Name(), Secret());
        var put = await Put(name, $$"""{"topic":"{{topic}}","url":"{{receiver.Url}}","secret":"{{secret}}"}""");
        Assert.Equal(secret, put.Json["secret"]!.GetValue<string>());
        await _http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":"first"}""");
        await _http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":"second"}""");
        await Eventually.TrueAsync(() => receiver.Posts.Count >= 4, "two failed attempts, then both messages");

        var posts = receiver.Posts.ToArray();
        // Message 2 waits until message 1 has succeeded: the first three POSTs are all message 1.
        Assert.Equal([1L, 1L, 1L, 2L], posts.Select(p => p.Offset));
        Assert.Single(posts.Take(3).Select(p => p.Headers["webhook-id"]).Distinct());
        Assert.Equal(["1", "2", "3"], posts.Take(3).Select(p => p.Headers["gantry-attempt"]));
        Assert.All(posts, p => Assert.Equal(ExpectedSignature(secret, p), p.Headers["webhook-signature"]));

        ApiResponse get = null!;
        await Eventually.TrueAsync(async () =>
        {
            get = await _http.ApiGetAsync($"/api/webhooks/{name}");
            var deliveries = get.Json["deliveries"]!.AsArray();
            return deliveries.Count == 2 && deliveries.All(d => d!["state"]!.GetValue<string>() == "succeeded");
        }, "both deliveries to succeed");
        var first = get.Json["deliveries"]!.AsArray().Single(d => d!["offset"]!.GetValue<long>() == 1)!;
        Assert.Equal(3, first["attempts"]!.GetValue<int>());
        Assert.Equal(200, first["status_code"]!.GetValue<int>());
        Assert.Equal("the receiver answered 503", first["last_error"]!.GetValue<string>());
        Assert.Equal($"gantry.webhooks.{name}", get.Json["queue"]!.GetValue<string>());
        var job = await _http.GetJobAsync(first["job_id"]!.GetValue<long>());
        Assert.Equal(2, job["errors"]!.AsArray().Count);
    }

    [Fact]
    public async Task Bad_urls_and_the_servers_own_address_are_refused_naming_url()
    {
        var topic = Topic();
        foreach (var url in new[] { "not a url", "ftp://example.com/x", "/relative", "https://user:pw@example.com/", "http://" + new string('a', 3000) + ".com/" })
        {
            var bad = await Put(Name(), $$"""{"topic":"{{topic}}","url":"{{url}}"}""");
            ProblemAssert.IsProblem(bad, 400, "url");
            Assert.Equal("url", bad.Json["field"]!.GetValue<string>());
        }
        var own = fixture.Server.BaseAddress;
        foreach (var url in new[] { $"{own}api/jobs", $"http://localhost:{own.Port}/api/queues", $"http://0.0.0.0:{own.Port}/" })
        {
            var refused = await Put(Name(), $$"""{"topic":"{{topic}}","url":"{{url}}"}""");
            ProblemAssert.IsProblem(refused, 400, "url", "own address");
        }
        var noTopic = await Put(Name(), """{"url":"https://example.com/"}""");
        ProblemAssert.IsProblem(noTopic, 400, "topic");
        var badSecret = await Put(Name(), $$"""{"topic":"{{topic}}","url":"http://127.0.0.1:9/","secret":"abc"}""");
        ProblemAssert.IsProblem(badSecret, 400, "secret");
        var offsetOnPattern = await Put(Name(), """{"topic":"orders.*","url":"http://127.0.0.1:9/","from":5}""");
        ProblemAssert.IsProblem(offsetOnPattern, 400, "from");
    }

    [Fact]
    public async Task Webhooks_are_listed_updated_from_an_offset_and_deleted()
    {
        await using var receiver = new WebhookReceiver();
        var (topic, name) = (Topic(), Name());
        for (var i = 1; i <= 3; i++) await _http.ApiPostAsync($"/api/topics/{topic}/messages", $$"""{"payload":{{i}}}""");
        // From the default (last): nothing already published is delivered.
        var created = await Put(name, $$"""{"topic":"{{topic}}","url":"{{receiver.Url}}"}""");
        Assert.Equal(3, created.Json["cursors"]![0]!["offset"]!.GetValue<long>());
        var updated = await Put(name, $$"""{"topic":"{{topic}}","url":"{{receiver.Url}}","from":2}""");
        Assert.Equal(HttpStatusCode.OK, updated.Status);
        Assert.NotEqual(created.Json["epoch"]!.GetValue<string>(), updated.Json["epoch"]!.GetValue<string>());
        await Eventually.TrueAsync(() => receiver.Posts.Count >= 2, "offsets 2 and 3");
        Assert.Equal([2L, 3L], receiver.Posts.Select(p => p.Offset));

        var list = await _http.ApiGetAsync("/api/webhooks");
        Assert.Contains(list.Json["webhooks"]!.AsArray(), w => w!["name"]!.GetValue<string>() == name);
        Assert.Equal(HttpStatusCode.NoContent, (await _http.SendAsync(HttpMethod.Delete, $"/api/webhooks/{name}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.ApiGetAsync($"/api/webhooks/{name}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await _http.SendAsync(HttpMethod.Delete, $"/api/webhooks/{name}")).Status);
    }

    [Fact]
    public async Task A_pattern_webhook_delivers_every_matching_topic_in_order()
    {
        await using var receiver = new WebhookReceiver();
        var root = "p" + Guid.NewGuid().ToString("N")[..8];
        await Put(Name(), $$"""{"topic":"{{root}}.*","url":"{{receiver.Url}}"}""");
        await _http.ApiPostAsync($"/api/topics/{root}.eu/messages", """{"payload":"eu1"}""");
        await _http.ApiPostAsync($"/api/topics/{root}.us/messages", """{"payload":"us1"}""");
        await _http.ApiPostAsync($"/api/topics/{root}.eu/messages", """{"payload":"eu2"}""");
        await _http.ApiPostAsync($"/api/topics/other{root}/messages", """{"payload":"not mine"}""");
        await Eventually.TrueAsync(() => receiver.Posts.Count >= 3, "three deliveries");
        var eu = receiver.Posts.Where(p => p.Headers["gantry-topic"] == $"{root}.eu").Select(p => p.Text);
        Assert.Equal(["\"eu1\"", "\"eu2\""], eu);
        Assert.Contains(receiver.Posts, p => p.Text == "\"us1\"");
        Assert.DoesNotContain(receiver.Posts, p => p.Text == "\"not mine\"");
    }

    [Fact]
    public async Task The_standardwebhooks_package_verifies_real_deliveries_and_rejects_a_tampered_signature()
    {
        var (topic, name, secret) = (Topic(), Name(), Secret());
        var (node, url) = await NodeVerifier.StartAsync(secret);
        await using (node)
        {
            await Put(name, $$"""{"topic":"{{topic}}","url":"{{url}}","secret":"{{secret}}"}""");
            await _http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":{"order":1,"text":"créé"}}""");
            // The package's verify() also parses the body as JSON (it returns the parsed payload), so both messages are JSON.
            await _http.ApiPostAsync($"/api/topics/{topic}/messages", """{"payload":[1,"two",{"three":3.5}]}""");
            await node.WaitForLineAsync(l => l.StartsWith("ok ", StringComparison.Ordinal) && l.Split(' ')[2] == "2", "the verifier to accept offset 2");
            Assert.DoesNotContain("bad ", node.Stdout);
            Assert.Contains(" 1 {\"order\":1,\"text\":\"créé\"}", node.Stdout);
            await Eventually.TrueAsync(async () =>
                (await _http.ApiGetAsync($"/api/webhooks/{name}")).Json["deliveries"]!.AsArray()
                .Count(d => d!["state"]!.GetValue<string>() == "succeeded" && d["status_code"]!.GetValue<int>() == 204) == 2,
                "both deliveries to succeed with the verifier's 204");

            // The same check must fail for a signature that does not match the body.
            using var http = new HttpClient();
            var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            var body = """{"order":1}""";
            var key = Convert.FromBase64String(secret["whsec_".Length..]);
            var good = "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"msg-1.{timestamp}.{body}")));
            async Task<HttpStatusCode> Send(string signature, string content)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(content, Encoding.UTF8, "application/json") };
                request.Headers.Add("webhook-id", "msg-1");
                request.Headers.Add("webhook-timestamp", timestamp);
                request.Headers.TryAddWithoutValidation("webhook-signature", signature);
                return (await http.SendAsync(request)).StatusCode;
            }
            Assert.Equal(HttpStatusCode.NoContent, await Send(good, body));
            Assert.Equal(HttpStatusCode.BadRequest, await Send(good, """{"order":2}"""));
            var tampered = good[..^6] + (good[^6] == 'A' ? 'B' : 'A') + good[^5..];
            Assert.Equal(HttpStatusCode.BadRequest, await Send(tampered, body));
            await node.WaitForLineAsync(l => l.StartsWith("bad msg-1", StringComparison.Ordinal), "the verifier to reject the tampered request");
        }
    }
}

public sealed class WebhookApiOnSqlite(SqliteServerFixture f) : WebhookApiTests(f), IClassFixture<SqliteServerFixture>;

public sealed class WebhookApiOnPostgres(PostgresServerFixture f) : WebhookApiTests(f), IClassFixture<PostgresServerFixture>;
