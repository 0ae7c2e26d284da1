using Gantry.Client.Workers;
using Gantry.Server.Tests.Infrastructure;
using Xunit;

namespace Gantry.Server.Tests.Sdk;

public sealed record Greeting(string Text);

/// <summary>Answers in Korean, with the characters the default JSON encoder would escape.</summary>
public sealed class KoreanGreetingHandler : JobHandler<Greeting, Greeting>
{
    protected override Task<Greeting> HandleAsync(Greeting payload, JobContext job, CancellationToken cancellationToken) =>
        Task.FromResult(new Greeting($"안녕하세요, {payload.Text} + <b>"));
}

/// <summary>The SDK stores payloads and results as readable UTF-8 JSON: "안녕" stays "안녕" in the stored bytes, not
/// <c>\uC548\uB155</c>, so every reader (the CLI, a dashboard, psql) shows the text.</summary>
public sealed class SdkPayloadTextTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    private readonly InProcessServer _server = fixture.Server;

    [Fact]
    public async Task Typed_payloads_and_results_are_stored_without_unicode_escapes()
    {
        var queue = Names.Queue();
        await using var worker = await WorkerHost.StartAsync(_server.BaseAddress, w => w.AddHandler<KoreanGreetingHandler>(queue));

        var job = await _server.Client.EnqueueAsync(queue, new Greeting("세계+1"));
        var result = await _server.Client.GetResultAsync<Greeting>(job.Id, TimeSpan.FromSeconds(30));

        Assert.Equal("안녕하세요, 세계+1 + <b>", result!.Text);
        var stored = await _server.Http.ApiGetAsync($"/api/jobs/{job.Id}");
        Assert.Equal("""{"text":"세계+1"}""", stored.RawField("payload"));
        Assert.Equal("""{"text":"안녕하세요, 세계+1 + <b>"}""", stored.RawField("result"));
    }
}
