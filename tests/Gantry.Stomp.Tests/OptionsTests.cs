namespace Gantry.Stomp.Tests;

/// <summary>The STOMP settings refuse what cannot work, naming the key.</summary>
public sealed class OptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_listen_on_loopback_at_stomps_port()
    {
        var options = new StompOptions();
        Assert.Empty(options.Validate());
        Assert.Equal("127.0.0.1:61613", options.Listen);
        Assert.True(options.Enabled);
        Assert.False(new StompOptions { Listen = "OFF" }.Enabled);
    }

    [Theory]
    [InlineData("Listen", "Gantry:Stomp:Listen: 'nonsense' is not HOST:PORT")]
    [InlineData("MaxCommandBytes", "Gantry:Stomp:MaxCommandBytes must be between 11")]
    [InlineData("HeartBeatGrace", "Gantry:Stomp:HeartBeatGrace must be between 0 and 3600 seconds")]
    [InlineData("MaxSubscriptions", "Gantry:Stomp:MaxSubscriptions must be between 1 and 100000")]
    public void A_bad_setting_is_refused_naming_its_key(string key, string expected)
    {
        var options = key switch
        {
            "Listen" => new StompOptions { Listen = "nonsense" },
            "MaxCommandBytes" => new StompOptions { MaxCommandBytes = 5 },
            "HeartBeatGrace" => new StompOptions { HeartBeatGrace = TimeSpan.FromDays(1) },
            _ => new StompOptions { MaxSubscriptions = 0 },
        };
        var error = Assert.Single(options.Validate());
        Assert.StartsWith(expected, error);
    }
}
