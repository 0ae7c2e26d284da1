using Gantry.Server.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Xunit;

namespace Gantry.Server.Tests.Stats;

/// <summary>Gantry:Stats settings are checked when the server starts, like every other setting.</summary>
public sealed class StatsSettingsTests
{
    [Theory]
    [InlineData("Gantry:Stats:Window", "00:05:30")]
    [InlineData("Gantry:Stats:DelayWarning", "-00:00:01")]
    public async Task A_bad_stats_setting_stops_the_server_naming_the_key(string key, string value)
    {
        await using var store = TestStore.Sqlite();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            InProcessServer.StartAsync(store, new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(ex.Failures, f => f.StartsWith(key + " ", StringComparison.Ordinal));
    }
}
