using System.Text;
using System.Text.Json.Nodes;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Xunit;

namespace Gantry.Server.Tests.Cli;

/// <summary>
/// How the <c>gantry</c> executable shows payloads and results, against a real server: text as text (not base64, not
/// <c>\uC548\uB155</c>), times as <c>+00:00</c> (not <c>\u002B00:00</c>), base64 only for bytes that are not text,
/// and which form a value has where the output is structured; and the one-line warning when a payload meant as JSON
/// is not JSON.
/// </summary>
public sealed class CliPayloadOutputTests(CliServerFixture fixture) : IClassFixture<CliServerFixture>
{
    private readonly HttpClient _http = fixture.Http;

    private Task<ProcessResult> Gantry(params string[] args) => GantryCli.RunAsync([.. args, "--server", fixture.Url]);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Leases the job and completes it with <paramref name="resultJson"/> as its JSON text on the wire.</summary>
    private async Task CompleteAsync(string queue, string resultJson)
    {
        var (id, attempt) = await _http.FetchOneAsync(queue, wait: 30);
        var done = await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}},"result":{{resultJson}}}""");
        Assert.True(done.Code == 200, done.ToString());
    }

    [Fact]
    public async Task A_json_result_with_unicode_escapes_prints_as_the_text_itself()
    {
        // What most JSON libraries write by default (and the SDK did): the Korean text behind \u escapes.
        var queue = Names.Queue();
        await using var cli = GantryCli.Start(["enqueue", queue, "{}", "--wait", "30", "--server", fixture.Url]);
        await CompleteAsync(queue, """{"greeting":"\uC548\uB155\uD558\uC138\uC694","sum":"1\u002B1"}""");

        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Equal("""{"greeting":"안녕하세요","sum":"1+1"}""", cli.Stdout.Trim());
    }

    [Fact]
    public async Task A_text_result_prints_as_text_and_job_shows_it_as_text()
    {
        // A command worker's stdout: text, not JSON, so it travels as result_base64.
        var queue = Names.Queue();
        await using var cli = GantryCli.Start(["enqueue", queue, "{}", "--wait", "30", "--server", fixture.Url]);
        var (id, attempt) = await _http.FetchOneAsync(queue, wait: 30);
        var done = await _http.ApiPostAsync($"/api/jobs/{id}/complete", $$"""{"attempt":{{attempt}},"result_base64":"{{Base64("안녕 world\n")}}"}""");
        Assert.Equal(200, done.Code);
        Assert.Equal(0, await cli.WaitForExitAsync());
        Assert.Equal("안녕 world", cli.Stdout.Trim());

        var table = await Gantry("job", id.ToString());
        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Matches(@"result \(text\)\s+안녕 world", table.Stdout);
        Assert.DoesNotContain(Base64("안녕 world\n"), table.Stdout);

        var json = await Gantry("job", id.ToString(), "--json");
        var view = JsonNode.Parse(json.Stdout)!;
        Assert.Equal("안녕 world\n", view["result_text"]!.GetValue<string>());
        Assert.Null(view["result_base64"]);
    }

    [Fact]
    public async Task A_text_payload_shows_as_text_in_job_and_jobs_and_says_it_is_text()
    {
        var queue = Names.Queue();
        var enqueued = await Gantry("enqueue", queue, "hello 세계");
        Assert.True(enqueued.ExitCode == 0, enqueued.ToString());
        Assert.Equal("", enqueued.Stderr.Trim()); // plain text is not mistaken for broken JSON
        var id = long.Parse(enqueued.Stdout.Trim());
        Assert.Equal(Base64("hello 세계"), (await _http.GetJobAsync(id))["payload_base64"]!.GetValue<string>()); // the API is unchanged

        var table = await Gantry("job", id.ToString());
        Assert.Matches(@"payload \(text\)\s+hello 세계", table.Stdout);

        var one = JsonNode.Parse((await Gantry("job", id.ToString(), "--json")).Stdout)!;
        Assert.Equal("hello 세계", one["payload_text"]!.GetValue<string>());
        Assert.Null(one["payload_base64"]);

        var list = await Gantry("jobs", "--queue", queue, "--json");
        var listed = JsonNode.Parse(list.Stdout)!["jobs"]!.AsArray().Single()!;
        Assert.Equal("hello 세계", listed["payload_text"]!.GetValue<string>());
    }

    [Fact]
    public async Task Json_output_keeps_plus_signs_and_non_ascii_readable()
    {
        var queue = Names.Queue();
        var r = await _http.ApiPostAsync("/api/jobs", $$$"""{"queue":"{{{queue}}}","payload":{"name":"\uC544\uB2E4","note":"a+b <c>"}}""");
        var id = r.Json["id"]!.GetValue<long>();

        var json = await Gantry("jobs", "--queue", queue, "--json");

        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.DoesNotContain("\\u", json.Stdout);
        Assert.Contains("+00:00", json.Stdout);
        Assert.Contains("\"name\": \"아다\"", json.Stdout);
        Assert.Contains("\"note\": \"a+b <c>\"", json.Stdout);

        var table = await Gantry("job", id.ToString());
        Assert.Matches("""payload \(json\)\s+\{"name":"아다","note":"a\+b <c>"\}""", table.Stdout);
    }

    [Fact]
    public async Task A_binary_payload_stays_base64_and_says_so()
    {
        var queue = Names.Queue();
        var base64 = Convert.ToBase64String(new byte[] { 0x00, 0xFF, 0x1B, 0x41 });
        var r = await _http.ApiPostAsync("/api/jobs", $$"""{"queue":"{{queue}}","payload_base64":"{{base64}}"}""");
        var id = r.Json["id"]!.GetValue<long>();

        Assert.Matches($@"payload \(base64\)\s+{System.Text.RegularExpressions.Regex.Escape(base64)}", (await Gantry("job", id.ToString())).Stdout);
        var view = JsonNode.Parse((await Gantry("job", id.ToString(), "--json")).Stdout)!;
        Assert.Equal(base64, view["payload_base64"]!.GetValue<string>());
        Assert.Null(view["payload_text"]);
    }

    [Fact]
    public async Task A_payload_meant_as_json_but_not_json_is_stored_as_text_with_one_warning_line()
    {
        var queue = Names.Queue();
        var r = await Gantry("enqueue", queue, """{name:"Ada"}""");

        Assert.True(r.ExitCode == 0, r.ToString());
        var id = long.Parse(r.Stdout.Trim()); // stdout still carries only the id
        var warning = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("not valid JSON (line 1, position 2)", warning);
        Assert.Contains("stored as text", warning);
        Assert.Contains("--text", warning);
        Assert.Equal(Base64("""{name:"Ada"}"""), (await _http.GetJobAsync(id))["payload_base64"]!.GetValue<string>());
    }

    [Fact]
    public async Task Text_says_the_payload_is_text_and_silences_the_warning()
    {
        var queue = Names.Queue();
        var r = await Gantry("enqueue", queue, "[not json]", "--text");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr.Trim());
        Assert.Equal(Base64("[not json]"), (await _http.GetJobAsync(long.Parse(r.Stdout.Trim())))["payload_base64"]!.GetValue<string>());
    }

    [Fact]
    public async Task Valid_json_gets_no_warning()
    {
        var r = await Gantry("enqueue", Names.Queue(), """{"name":"Ada"}""");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("", r.Stderr.Trim());
    }

    [Fact]
    public async Task Recurring_set_warns_the_same_way()
    {
        var name = Names.Queue();
        var r = await Gantry("recurring", "set", name, "@daily", Names.Queue(), """{name:"Ada"}""");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("not valid JSON", r.Stderr);
        var shown = await Gantry("recurring", "show", name);
        Assert.Matches("""payload \(text\)\s+\{name:"Ada"\}""", shown.Stdout);
    }
}

/// <summary>A client verb pointed at an HTTP server that is not Gantry (a proxy's page, another service): one line
/// saying so, not the serializer's exception with .NET type names and a stack trace.</summary>
public sealed class CliForeignServerTests
{
    [Theory]
    [InlineData("application/json", "<html><body>Welcome to nginx!</body></html>")]
    [InlineData("application/json", """{"queues":"none"}""")]
    public async Task An_answer_that_is_not_gantrys_is_one_line_naming_the_server(string contentType, string body)
    {
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/api/queues", () => Microsoft.AspNetCore.Http.Results.Content(body, contentType));
        await app.StartAsync();
        var url = app.Urls.Single();

        var r = await GantryCli.RunAsync(["queues", "--server", url]);

        Assert.True(r.ExitCode == 1, r.ToString());
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("not what a Gantry server sends", line);
        Assert.DoesNotContain("System.", r.Stderr);
        Assert.DoesNotContain("Unhandled", r.Stderr);
    }
}
