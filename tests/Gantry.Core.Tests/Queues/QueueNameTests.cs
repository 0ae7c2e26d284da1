using Gantry.Core;
using Gantry.Core.Queues;
using Xunit;

namespace Gantry.Core.Tests.Queues;

/// <summary>QueueName: the one rule for queue names that every front shares, and the messages it gives.</summary>
public sealed class QueueNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("emails")]
    [InlineData("billing.invoices:eu")]
    [InlineData("Q_1-2")]
    [InlineData("0123456789")]
    [InlineData("._:-")]
    public void IsValid_LettersDigitsAndUnderscoreDotColonDash_AreAccepted(string name) =>
        Assert.True(QueueName.IsValid(name));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    [InlineData("back\\slash")]
    [InlineData("star*")]
    [InlineData("tab\t")]
    [InlineData("new\nline")]
    [InlineData("percent%20")]
    [InlineData("quote'")]
    [InlineData("ünïcode")]
    [InlineData("emoji😀")]
    [InlineData("fullwidth１")]
    public void IsValid_AnythingElse_IsRefused(string? name) =>
        Assert.False(QueueName.IsValid(name));

    [Fact]
    public void IsValid_NameOfExactlyMaxLength_IsAccepted() =>
        Assert.True(QueueName.IsValid(new string('q', QueueName.MaxLength)));

    [Fact]
    public void IsValid_NameOneOverMaxLength_IsRefused() =>
        Assert.False(QueueName.IsValid(new string('q', QueueName.MaxLength + 1)));

    [Fact]
    public void MaxLength_Is128() => Assert.Equal(128, QueueName.MaxLength);

    [Fact]
    public void Validate_ValidName_ReturnsItUnchanged() =>
        Assert.Equal("billing.invoices:eu", QueueName.Validate("billing.invoices:eu"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Validate_MissingName_SaysANameIsRequired(string? name)
    {
        var error = Assert.Throws<GantryException>(() => QueueName.Validate(name));

        Assert.Equal(GantryErrorKind.Invalid, error.Kind);
        Assert.Equal("queue", error.Field);
        Assert.Equal("queue: a queue name is required.", error.Message);
    }

    [Fact]
    public void Validate_TooLongName_GivesTheLimitAndTheLengthNotTheCharacterRule()
    {
        // Valid characters, only too long: the message must be about length.
        var error = Assert.Throws<GantryException>(() => QueueName.Validate(new string('q', 200)));

        Assert.Equal("queue: queue names are at most 128 characters (got 200).", error.Message);
    }

    [Fact]
    public void Validate_BadCharacters_QuotesTheNameAndListsWhatIsAllowed()
    {
        var error = Assert.Throws<GantryException>(() => QueueName.Validate("my queue"));

        Assert.Equal(GantryErrorKind.Invalid, error.Kind);
        Assert.Contains("'my queue'", error.Message);
        Assert.Contains("letters, digits and _ . : -", error.Message);
    }

    [Fact]
    public void Validate_LongBadName_IsShortenedToFortyCharactersInTheMessage()
    {
        var name = new string('a', 50) + " b";
        var error = Assert.Throws<GantryException>(() => QueueName.Validate(name));

        Assert.Contains("'" + new string('a', 40) + "…'", error.Message);
        Assert.DoesNotContain(new string('a', 41), error.Message);
    }

    [Fact]
    public void Validate_GivenFieldName_NamesThatFieldInFieldAndMessage()
    {
        var error = Assert.Throws<GantryException>(() => QueueName.Validate("bad name", "jobs[2].queue"));

        Assert.Equal("jobs[2].queue", error.Field);
        Assert.StartsWith("jobs[2].queue: ", error.Message);
    }
}
