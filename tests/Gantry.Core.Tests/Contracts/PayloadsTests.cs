using System.Text;
using System.Text.Json;
using Gantry.Contracts;
using Xunit;

namespace Gantry.Core.Tests.Contracts;

/// <summary>Payloads: bytes go as JSON when they are one JSON value, else as base64, and come back byte for byte.</summary>
public sealed class PayloadsTests
{
    private static byte[] RoundTrip(byte[] bytes)
    {
        var (json, base64) = Payloads.ToWire(bytes);
        return Payloads.FromWire(json, base64, "payload").ToArray();
    }

    [Theory]
    [InlineData("""{"to":"a@example.com","n":1}""")]
    [InlineData("[1,2,3]")]
    [InlineData("\"just a string\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void ToWire_JsonBytes_GoAsJsonAndComeBackUnchanged(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var (json, base64) = Payloads.ToWire(bytes);

        Assert.NotNull(json);
        Assert.Null(base64);
        Assert.Equal(bytes, json.Value.Utf8.ToArray());
        Assert.Equal(bytes, Payloads.FromWire(json, null, "payload").ToArray());
    }

    [Fact]
    public void ToWire_EveryByteValue_GoesAsBase64AndComesBackUnchanged()
    {
        var bytes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var (json, base64) = Payloads.ToWire(bytes);

        Assert.Null(json);
        Assert.Equal(Convert.ToBase64String(bytes), base64);
        Assert.Equal(bytes, Payloads.FromWire(null, base64, "payload").ToArray());
    }

    [Fact]
    public void RoundTrip_EverySingleBytePayload_ComesBackUnchanged()
    {
        for (var b = 0; b < 256; b++)
            Assert.Equal(new[] { (byte)b }, RoundTrip([(byte)b]));
    }

    [Fact]
    public void RoundTrip_RandomBinaryPayloads_ComeBackUnchanged()
    {
        var random = new Random(20260105);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(1, 512)];
            random.NextBytes(bytes);
            Assert.Equal(bytes, RoundTrip(bytes));
        }
    }

    [Fact]
    public void ToWire_TextThatIsNotJson_GoesAsBase64() =>
        Assert.Equal((null, Convert.ToBase64String("hello"u8)), Payloads.ToWire("hello"u8.ToArray()));

    [Fact]
    public void ToWire_EmptyPayload_SendsNeitherField() =>
        Assert.Equal((null, null), Payloads.ToWire(ReadOnlyMemory<byte>.Empty));

    [Fact]
    public void FromWire_NeitherField_IsAnEmptyPayload() =>
        Assert.True(Payloads.FromWire(null, null, "payload").IsEmpty);

    [Fact]
    public void FromWire_EmptyBase64_IsAnEmptyPayload() =>
        Assert.True(Payloads.FromWire(null, "", "payload").IsEmpty);

    [Fact]
    public void FromWire_BothFields_IsRefusedNamingBoth()
    {
        RawJson.TryCreate("1"u8.ToArray(), out var json);

        var error = Assert.Throws<FormatException>(() => Payloads.FromWire(json, "MQ==", "result"));
        Assert.Equal("result: give either result or result_base64, not both.", error.Message);
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAA")]
    [InlineData("A===")]
    [InlineData("AA==AA==")]
    public void FromWire_BadBase64_IsRefusedNamingTheBase64Field(string base64)
    {
        var error = Assert.Throws<FormatException>(() => Payloads.FromWire(null, base64, "payload"));
        Assert.Equal("payload_base64: not valid base64.", error.Message);
    }

    [Fact]
    public void WireShapes_CarryJsonAndBinaryPayloadsThroughSerialization()
    {
        foreach (var bytes in new[] { """{"a":[1,2]}"""u8.ToArray(), new byte[] { 0, 1, 2, 0xFE, 0xFF } })
        {
            var (json, base64) = Payloads.ToWire(bytes);
            var text = JsonSerializer.Serialize(new LeasedJobView { Id = 1, Payload = json, PayloadBase64 = base64 }, GantryJsonContext.Default.LeasedJobView);
            var back = JsonSerializer.Deserialize(text, GantryJsonContext.Default.LeasedJobView)!;

            Assert.Equal(bytes, Payloads.FromWire(back.Payload, back.PayloadBase64, "payload").ToArray());
        }
    }

    [Fact]
    public void WireShapes_BinaryPayloadShapedLikeAJsonString_SurvivesSerialization()
    {
        byte[] bytes = [0x22, 0xFF, 0x22];
        var (json, base64) = Payloads.ToWire(bytes);
        var utf8 = JsonSerializer.SerializeToUtf8Bytes(new LeasedJobView { Id = 1, Payload = json, PayloadBase64 = base64 }, GantryJsonContext.Default.LeasedJobView);
        var back = JsonSerializer.Deserialize(utf8, GantryJsonContext.Default.LeasedJobView)!;

        Assert.Equal(bytes, Payloads.FromWire(back.Payload, back.PayloadBase64, "payload").ToArray());
    }

    [Theory]
    [InlineData("hello", PayloadForm.Text)]
    [InlineData("안녕하세요, 세계", PayloadForm.Text)]
    [InlineData("two\nlines\twith a tab\r\n", PayloadForm.Text)]
    [InlineData("{name:\"Ada\"}", PayloadForm.Text)]
    [InlineData("{\"name\":\"Ada\"}", PayloadForm.Json)]
    [InlineData("", PayloadForm.Empty)]
    [InlineData("nul\0inside", PayloadForm.Binary)]
    [InlineData("\u001b[31mred", PayloadForm.Binary)]
    public void FormOf_tells_json_text_and_binary_apart(string text, PayloadForm form)
    {
        Assert.Equal(form, Payloads.FormOf(Encoding.UTF8.GetBytes(text), out var shown));
        Assert.Equal(form is PayloadForm.Text or PayloadForm.Json ? text : null, shown);
    }

    [Fact]
    public void FormOf_bytes_that_are_not_utf8_is_binary() =>
        Assert.Equal(PayloadForm.Binary, Payloads.FormOf([0x68, 0xFF, 0x69], out _));
}
