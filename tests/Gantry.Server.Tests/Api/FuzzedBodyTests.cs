using System.Text;
using System.Text.RegularExpressions;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Api;

/// <summary>
/// Random and mutated bodies against every POST endpoint: the server answers each with a 2xx or a 4xx
/// problem+json, never a 5xx, and keeps serving afterwards. Seeded, so a failure reproduces; the failing bodies are
/// listed in the message. (Text holding U+0000 has its own tests, <see cref="TextWithNulTests"/>.)
/// </summary>
public abstract partial class FuzzedBodyTests(ServerFixture fixture)
{
    private const int Lanes = 4;
    private const int RequestsPerLane = 200;
    private readonly HttpClient _http = fixture.Server.Http;

    private static readonly string[] Tokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "null", "true", "false", "0", "-1", "-0", "0.001", "1e999", "-1e999",
        "1.5e308", "2147483648", "-2147483649", "9223372036854775808", "\"\"", "[]", "{}", "\"\\ud800\"", "\"\\\"\"",
        "\"2030-01-01T00:00:00Z\"", "\"0001-01-01T00:00:00+14:00\"", "\"9999-12-31T23:59:59Z\"", "\"AAAA\"", "\"%%%\"",
        "\"queue\"", "\"payload\"", "\"payload_base64\"", "\"id\"", "\"attempt\"", "\"jobs\"", "\"max\"", "\"wait\"",
        "\"result\"", "\"result_base64\"", "\"error\"", "\"retry\"", "\"leases\"", "\"completions\"", "\"failures\"",
        "\"unique_key\"", "\"delay\"", "\"run_at\"", "\"timeout\"", "\"priority\"", "\"max_attempts\"", "\"é\"", "\t", "\n",
    ];

    private static readonly string[] Scalars =
        ["null", "true", "0", "-1", "0.001", "1e999", "2147483648", "9223372036854775808", "\"\"", "\"x\"", "[]", "{}", "\"\\ud800\"",
         "\"2030-01-01T00:00:00Z\"", "\"-5\"", "[1,2]", "{\"a\":{}}", "\"" + new string('z', 300) + "\""];

    [GeneratedRegex("""
        "(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null
        """)]
    private static partial Regex Scalar();

    private static (string Path, string Body)[] Seeds(long id) =>
    [
        ("/api/jobs", """{"queue":"fuzz","payload":{"a":[1,2]},"priority":1,"delay":0,"max_attempts":3,"timeout":5,"unique_key":"k"}"""),
        ("/api/jobs", """{"queue":"fuzz","payload_base64":"AAEC","run_at":"2020-01-01T00:00:00Z"}"""),
        ("/api/jobs/batch", """{"jobs":[{"queue":"fuzz","payload":1},{"queue":"fuzz-b","payload":"two"}]}"""),
        ("/api/queues/fuzz/fetch", """{"max":2,"wait":0}"""),
        ("/api/leases/heartbeat", $$"""{"leases":[{"id":{{id}},"attempt":1}]}"""),
        ("/api/leases/complete", $$$"""{"completions":[{"id":{{{id}}},"attempt":1,"result":{"ok":true}}]}"""),
        ("/api/leases/fail", $$"""{"failures":[{"id":{{id}},"attempt":1,"error":"e","details":"d","retry":true}]}"""),
        ("/api/leases/release", $$"""{"leases":[{"id":{{id}},"attempt":1}]}"""),
        ($"/api/jobs/{id}/heartbeat", """{"attempt":1}"""),
        ($"/api/jobs/{id}/complete", """{"attempt":1,"result_base64":"AA=="}"""),
        ($"/api/jobs/{id}/fail", """{"attempt":1,"error":"e","retry":false}"""),
        ($"/api/jobs/{id}/release", """{"attempt":1}"""),
        ($"/api/jobs/{id}/cancel", ""),
        ("/api/queues/fuzz/pause", ""),
        ("/api/queues/fuzz/resume", ""),
    ];

    private static string Mutate(string body, Random random)
    {
        var rounds = random.Next(1, 4);
        for (var i = 0; i < rounds; i++)
        {
            var at = body.Length == 0 ? 0 : random.Next(body.Length);
            body = random.Next(8) switch
            {
                0 => body.Length == 0 ? body : body.Remove(at, Math.Min(random.Next(1, 6), body.Length - at)),
                1 => body.Insert(at, Tokens[random.Next(Tokens.Length)]),
                2 => ReplaceScalar(body, random),
                3 => body.Length == 0 ? body : body.Insert(at, body.Substring(at, Math.Min(random.Next(1, 20), body.Length - at))),
                4 => body[..at],
                5 => RandomText(random),
                6 => body.Insert(at, new string('[', 300) + new string(']', 300)),
                _ => body.Insert(at, ((char)random.Next(1, 0x2FF)).ToString()),
            };
        }
        return body;
    }

    private static string ReplaceScalar(string body, Random random)
    {
        var matches = Scalar().Matches(body);
        if (matches.Count == 0) return body;
        var m = matches[random.Next(matches.Count)];
        return string.Concat(body.AsSpan(0, m.Index), Scalars[random.Next(Scalars.Length)], body.AsSpan(m.Index + m.Length));
    }

    private static string RandomText(Random random)
    {
        var chars = new char[random.Next(0, 64)];
        for (var i = 0; i < chars.Length; i++) chars[i] = (char)random.Next(1, 0x7F);
        return new string(chars);
    }

    [Fact]
    public async Task Mutated_bodies_on_every_POST_endpoint_get_2xx_or_4xx_problem_never_5xx_and_the_server_keeps_serving()
    {
        // Real leases to aim at, so mutations reach the lease code and not only the id checks.
        for (var i = 0; i < 20; i++) await _http.EnqueueAsync("fuzz-leases");
        var leased = (await _http.FetchAsync("fuzz-leases", max: 10)).Select(j => j!["id"]!.GetValue<long>()).ToArray();
        var contentTypes = new[] { "application/json", "application/json", "application/json", "application/json; charset=utf-8", null };

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        int accepted = 0, refused = 0;
        await Task.WhenAll(Enumerable.Range(0, Lanes).Select(lane => Task.Run(async () =>
        {
            var random = new Random(4242 + lane);
            for (var i = 0; i < RequestsPerLane; i++)
            {
                var seeds = Seeds(leased[random.Next(leased.Length)]);
                var (path, seed) = seeds[random.Next(seeds.Length)];
                var body = random.Next(10) == 0 ? seed : Mutate(seed, random);
                var contentType = contentTypes[random.Next(contentTypes.Length)];
                var r = await _http.SendAsync(HttpMethod.Post, path, body, contentType);
                // Cancelling a finished job answers 409 with the job itself (a CancelResponse), by design.
                var designed = r.Code == 409 && path.EndsWith("/cancel", StringComparison.Ordinal) && r.ContentType == "application/json";
                Interlocked.Increment(ref r.Code < 400 ? ref accepted : ref refused);
                if (r.Code >= 500 || (r.Code >= 400 && r.ContentType != "application/problem+json" && !designed))
                    failures.Add($"lane {lane} #{i}: POST {path} [{contentType}] {body}\n  -> {r}");
            }
        })));

        Assert.True(failures.IsEmpty, $"{failures.Count} bad answers:\n" + string.Join("\n", failures.Take(20)));
        // Both kinds in numbers: the mutations reach past the parser, and still break it often.
        Assert.True(accepted > Lanes * RequestsPerLane / 10 && refused > Lanes * RequestsPerLane / 10, $"{accepted} accepted, {refused} refused");
        Assert.Equal(200, (await _http.ApiGetAsync("/health")).Code);
        var queue = Names.Queue();
        var id = await _http.EnqueueAsync(queue, "\"still here\"");
        var (fetched, attempt) = await _http.FetchOneAsync(queue, wait: 0);
        Assert.Equal(id, fetched);
        Assert.Equal(200, (await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}}}""")).Code);
        Assert.Equal("succeeded", await _http.StateOfAsync(id));
    }
}

public sealed class FuzzedBodiesOnSqlite(SqliteSmallLimitsFixture f) : FuzzedBodyTests(f), IClassFixture<SqliteSmallLimitsFixture>;

public sealed class FuzzedBodiesOnPostgres(PostgresSmallLimitsFixture f) : FuzzedBodyTests(f), IClassFixture<PostgresSmallLimitsFixture>;
