using System.Text;
using Gantry.Protocol.Stomp;
using Gantry.Stomp.Tests.Infrastructure;

namespace Gantry.Stomp.Tests;

/// <summary>/topic/ destinations: what STOMP sends the HTTP API reads, what HTTP publishes a subscriber receives, with
/// offsets a client resumes from.</summary>
public sealed class TopicTests(StompServerFixture fixture) : IClassFixture<StompServerFixture>
{
    private readonly StompServer _server = fixture.Server;

    [Fact]
    public async Task A_send_with_a_receipt_is_committed_and_read_over_http_as_the_same_message()
    {
        var topic = Topics.Fresh();
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();

        await client.SendWithReceiptAsync(StompCommand.Send, """{"order":42}""",
            (StompHeaderNames.Destination, "/topic/" + topic), (StompHeaderNames.ContentType, "application/json"),
            ("gantry-message-id", "order-42"), ("tenant", "acme"), ("tenant", "ignored: the first repeated header wins"));

        // The receipt came after the commit: the message is there without waiting.
        var message = Assert.Single(await Topics.MessagesAsync(_server.Http, topic))!;
        Assert.Equal(1, message["offset"]!.GetValue<long>());
        Assert.Equal("order-42", message["id"]!.GetValue<string>());
        Assert.Equal("application/json", message["content_type"]!.GetValue<string>());
        Assert.Equal(42, message["payload"]!["order"]!.GetValue<int>());
        var headers = message["headers"]!.AsObject();
        Assert.Equal("acme", headers["tenant"]!.GetValue<string>());
        // The frame's own headers are not message headers.
        Assert.Single(headers);
    }

    [Fact]
    public async Task A_subscriber_receives_what_http_publishes_with_offset_epoch_and_headers()
    {
        var topic = Topics.Fresh();
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        await client.SendWithReceiptAsync(StompCommand.Subscribe, "", (StompHeaderNames.Id, "sub-1"), (StompHeaderNames.Destination, "/topic/" + topic));

        var published = await Topics.PublishAsync(_server.Http, topic, """{"hello":"stomp"}""", new() { ["trace"] = "t-1" });

        var message = await client.ExpectAsync(StompCommand.Message);
        Assert.Equal("sub-1", message[StompHeaderNames.Subscription]);
        Assert.Equal("/topic/" + topic, message[StompHeaderNames.Destination]);
        Assert.Equal("1", message["offset"]);
        Assert.Equal(published["epoch"]!.GetValue<string>(), message["epoch"]);
        Assert.Equal("application/json", message[StompHeaderNames.ContentType]);
        Assert.Equal("t-1", message["trace"]);
        Assert.False(string.IsNullOrEmpty(message[StompHeaderNames.MessageId]));
        Assert.Equal("""{"hello":"stomp"}""", Encoding.UTF8.GetString(message.Body.Span));
    }

    [Fact]
    public async Task Offset_first_replays_the_history_in_order_and_then_follows_live()
    {
        var topic = Topics.Fresh();
        await Topics.PublishAsync(_server.Http, topic, """{"n":1}""");
        await Topics.PublishAsync(_server.Http, topic, """{"n":2}""");
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        await client.SendWithReceiptAsync(StompCommand.Subscribe, "", (StompHeaderNames.Id, "s"), (StompHeaderNames.Destination, "/topic/" + topic),
            ("offset", "first"));
        await Topics.PublishAsync(_server.Http, topic, """{"n":3}""");

        for (var n = 1; n <= 3; n++)
        {
            var message = await client.ExpectAsync(StompCommand.Message);
            Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), message["offset"]);
            Assert.Equal($$"""{"n":{{n}}}""", Encoding.UTF8.GetString(message.Body.Span));
        }
    }

    [Fact]
    public async Task An_offset_number_starts_at_that_message()
    {
        var topic = Topics.Fresh();
        for (var n = 1; n <= 3; n++) await Topics.PublishAsync(_server.Http, topic, $$"""{"n":{{n}}}""");
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        await client.SendAsync(StompCommand.Subscribe, (StompHeaderNames.Id, "s"), (StompHeaderNames.Destination, "/topic/" + topic), ("offset", "2"));

        Assert.Equal("2", (await client.ExpectAsync(StompCommand.Message))["offset"]);
        Assert.Equal("3", (await client.ExpectAsync(StompCommand.Message))["offset"]);
    }

    [Fact]
    public async Task The_default_start_is_live_history_is_not_replayed()
    {
        var topic = Topics.Fresh();
        await Topics.PublishAsync(_server.Http, topic, """{"old":true}""");
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        await client.SendWithReceiptAsync(StompCommand.Subscribe, "", (StompHeaderNames.Id, "s"), (StompHeaderNames.Destination, "/topic/" + topic));
        await Topics.PublishAsync(_server.Http, topic, """{"old":false}""");

        Assert.Equal("2", (await client.ExpectAsync(StompCommand.Message))["offset"]);
    }

    [Fact]
    public async Task A_pattern_subscription_receives_messages_of_every_matching_topic_and_no_other()
    {
        var prefix = Topics.Fresh("pat");
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        await client.SendWithReceiptAsync(StompCommand.Subscribe, "", (StompHeaderNames.Id, "p"), (StompHeaderNames.Destination, $"/topic/{prefix}.*"));

        await Topics.PublishAsync(_server.Http, prefix + "-other", """{"match":false}""");
        await Topics.PublishAsync(_server.Http, prefix + ".a", """{"topic":"a"}""");
        await using var sender = await _server.OpenAsync();
        await sender.ConnectAsync();
        await sender.SendWithReceiptAsync(StompCommand.Send, """{"topic":"b"}""", (StompHeaderNames.Destination, $"/topic/{prefix}.b"));

        var first = await client.ExpectAsync(StompCommand.Message);
        var second = await client.ExpectAsync(StompCommand.Message);
        Assert.Equal($"/topic/{prefix}.a", first[StompHeaderNames.Destination]);
        Assert.Equal($"/topic/{prefix}.b", second[StompHeaderNames.Destination]);
        Assert.Equal("p", second[StompHeaderNames.Subscription]);
        Assert.Equal("1", second["offset"]);
        Assert.NotNull(second["epoch"]);
    }

    [Fact]
    public async Task A_pattern_cannot_start_in_history()
    {
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        await client.SendAsync(StompCommand.Subscribe, (StompHeaderNames.Id, "p"), (StompHeaderNames.Destination, "/topic/orders.#"), ("offset", "first"));
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Contains("new messages only", error[StompHeaderNames.Message]);
    }

    [Fact]
    public async Task After_unsubscribe_the_connection_stays_open_and_the_id_can_be_used_again()
    {
        var topic = Topics.Fresh();
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        await client.SendWithReceiptAsync(StompCommand.Subscribe, "", (StompHeaderNames.Id, "s"), (StompHeaderNames.Destination, "/topic/" + topic));
        await client.SendWithReceiptAsync(StompCommand.Unsubscribe, "", (StompHeaderNames.Id, "s"));
        await Topics.PublishAsync(_server.Http, topic, """{"n":1}""");
        await client.SendWithReceiptAsync(StompCommand.Subscribe, "", (StompHeaderNames.Id, "s"), (StompHeaderNames.Destination, "/topic/" + topic),
            ("offset", "first"));

        // The first MESSAGE is the new subscription's replay: the old one delivered nothing after UNSUBSCRIBE.
        var message = await client.ExpectAsync(StompCommand.Message);
        Assert.Equal("1", message["offset"]);
        Assert.Equal("s", message[StompHeaderNames.Subscription]);
    }

    [Fact]
    public async Task A_subscription_id_in_use_is_an_error()
    {
        var topic = Topics.Fresh();
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        await client.SendAsync(StompCommand.Subscribe, (StompHeaderNames.Id, "s"), (StompHeaderNames.Destination, "/topic/" + topic));
        await client.SendAsync(StompCommand.Subscribe, (StompHeaderNames.Id, "s"), (StompHeaderNames.Destination, "/topic/" + topic));
        var error = await client.ExpectErrorThenCloseAsync();
        Assert.Contains("already in use", error[StompHeaderNames.Message]);
    }

    [Fact]
    public async Task A_stale_epoch_restarts_from_the_oldest_message_with_the_topics_epoch()
    {
        var topic = Topics.Fresh();
        var published = await Topics.PublishAsync(_server.Http, topic, """{"n":1}""");
        await Topics.PublishAsync(_server.Http, topic, """{"n":2}""");
        await using var client = await _server.OpenAsync();
        await client.ConnectAsync();
        // The client resumes at offset 2 of a history that is not this topic's: offsets of another epoch mean nothing.
        await client.SendAsync(StompCommand.Subscribe, (StompHeaderNames.Id, "s"), (StompHeaderNames.Destination, "/topic/" + topic),
            ("offset", "2"), ("epoch", "0000000000000000"));

        var message = await client.ExpectAsync(StompCommand.Message);
        Assert.Equal("1", message["offset"]);
        Assert.Equal(published["epoch"]!.GetValue<string>(), message["epoch"]);
    }

    [Fact]
    public async Task A_stomp_1_0_session_takes_backslashes_in_headers_as_they_are()
    {
        var topic = Topics.Fresh();
        await using var client = await _server.OpenAsync();
        await client.SendAsync(StompCommand.Connect); // no accept-version: 1.0, which has no header escapes
        Assert.Equal("1.0", (await client.ExpectAsync(StompCommand.Connected))[StompHeaderNames.Version]);
        await client.SendRawAsync($"SEND\ndestination:/topic/{topic}\npath:C:\\dir\\n\nreceipt:r1\n\n{{}}\0");
        await client.ExpectAsync(StompCommand.Receipt);

        var message = Assert.Single(await Topics.MessagesAsync(_server.Http, topic))!;
        Assert.Equal(@"C:\dir\n", message["headers"]!["path"]!.GetValue<string>());
    }
}
