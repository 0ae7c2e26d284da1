using System.Text;
using System.Text.Json;
using Gantry.Contracts;
using Xunit;

namespace Gantry.Core.Tests.Contracts;

/// <summary>RawJson: wraps bytes only when they are exactly one well-formed JSON value, and carries them untouched.</summary>
public sealed class RawJsonTests
{
    private static bool TryCreate(string text) => RawJson.TryCreate(Encoding.UTF8.GetBytes(text), out _);

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"a":[1,2,{"b":null}],"c":"d"}""")]
    [InlineData("[]")]
    [InlineData("""[1,"x",true,null,{}]""")]
    [InlineData("0")]
    [InlineData("-1.5e10")]
    [InlineData("12345678901234567890123456789")]
    [InlineData("\"text\"")]
    [InlineData("\"\"")]
    [InlineData("\"한국어 😀 \\u00e9 \\n\"")]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("null")]
    [InlineData("  {\"a\":1}\n")]
    public void TryCreate_ExactlyOneJsonValue_IsAcceptedWithItsBytesUntouched(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);

        Assert.True(RawJson.TryCreate(bytes, out var json));
        Assert.Equal(bytes, json.Utf8.ToArray());
        Assert.Equal(text, json.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\n\t")]
    public void TryCreate_NoValue_IsRefused(string text) => Assert.False(TryCreate(text));

    [Theory]
    [InlineData("1 2")]
    [InlineData("{} {}")]
    [InlineData("[1][2]")]
    [InlineData("\"a\" \"b\"")]
    [InlineData("null null")]
    public void TryCreate_TwoValues_IsRefused(string text) => Assert.False(TryCreate(text));

    [Theory]
    [InlineData("{}x")]
    [InlineData("[1] ,")]
    [InlineData("true false")]
    [InlineData("1:")]
    [InlineData("{\"a\":1}}")]
    public void TryCreate_TrailingGarbage_IsRefused(string text) => Assert.False(TryCreate(text));

    [Theory]
    [InlineData("{")]
    [InlineData("[1,")]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1,}")]
    [InlineData("tru")]
    [InlineData("'single'")]
    [InlineData("NaN")]
    [InlineData("01")]
    [InlineData("/* comment */ 1")]
    [InlineData("1 // comment")]
    [InlineData("hello")]
    [InlineData("{a:1}")]
    public void TryCreate_MalformedJson_IsRefused(string text) => Assert.False(TryCreate(text));

    [Theory]
    [InlineData("FF")]               // a lone byte that never occurs in UTF-8
    [InlineData("5BFF5D")]           // [ 0xFF ]
    [InlineData("EFBBBF7B7D")]       // a byte order mark before {}: not allowed inside a JSON document
    public void TryCreate_InvalidBytesOutsideStrings_AreRefused(string hex) =>
        Assert.False(RawJson.TryCreate(Convert.FromHexString(hex), out _));

    [Theory]
    [InlineData("22FF22")]           // "<0xFF>"
    [InlineData("22C32822")]         // "<truncated two-byte sequence>("
    [InlineData("22C0AF22")]         // "<overlong encoding of />"
    [InlineData("22EDA08022")]       // "<UTF-8-encoded surrogate>"
    [InlineData("7B22FF223A317D")]   // {"<0xFF>":1}
    public void TryCreate_InvalidUtf8InsideAString_IsRefused(string hex) =>
        Assert.False(RawJson.TryCreate(Convert.FromHexString(hex), out _));

    [Fact]
    public void Serialize_WritesTheValueAsRawJsonNotAsAString()
    {
        RawJson.TryCreate("""{"b":[1,2]}"""u8.ToArray(), out var json);
        var view = new JobView { Payload = json };

        var text = JsonSerializer.Serialize(view, GantryJsonContext.Default.JobView);

        Assert.Contains("\"payload\":{\"b\":[1,2]}", text);
    }

    [Fact]
    public void Deserialize_CopiesAnyJsonValueBackAsItsText()
    {
        var view = JsonSerializer.Deserialize("""{"id":1,"payload":[1,{"x":"y"},null]}""", GantryJsonContext.Default.JobView)!;

        Assert.Equal("""[1,{"x":"y"},null]""", view.Payload!.Value.ToString());
    }

    [Fact]
    public void Deserialize_JsonNullPayload_IsAbsent() =>
        Assert.Null(JsonSerializer.Deserialize("""{"id":1,"payload":null}""", GantryJsonContext.Default.JobView)!.Payload);

    [Fact]
    public void From_SerializesTheGivenValue() =>
        Assert.Equal("""{"A":1,"B":"two"}""", RawJson.From(new { A = 1, B = "two" }).ToString());
}
