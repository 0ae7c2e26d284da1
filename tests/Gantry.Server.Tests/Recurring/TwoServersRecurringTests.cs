using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Recurring;
using Gantry.Server.Tests.Infrastructure;
using Gantry.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Gantry.Server.Tests.Recurring;

/// <summary>
/// Two servers on one PostgreSQL database, each on its own manual clock moved in step, both firing every tick at the
/// same moment (their own loops and the test's passes, all at once). The unique (schedule, tick) record in the
/// database is what keeps it to one job per tick, not which timer happens to win.
/// </summary>
public sealed class TwoServersRecurringTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 6, 12, 0, 0, TimeSpan.Zero);
    private readonly ManualTimeProvider _timeA = new(Start);
    private readonly ManualTimeProvider _timeB = new(Start);
    private TestStore _store = null!;
    private InProcessServer _a = null!;
    private InProcessServer _b = null!;

    public async Task InitializeAsync()
    {
        _store = await TestStore.PostgresAsync();
        _a = await InProcessServer.StartAsync(_store, services: s => s.AddSingleton<TimeProvider>(_timeA));
        _b = await InProcessServer.StartAsync(_store, services: s => s.AddSingleton<TimeProvider>(_timeB));
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _store.DisposeAsync();
    }

    private static RecurringSchedules Schedules(InProcessServer s) => s.App.Services.GetRequiredService<RecurringSchedules>();

    [Fact]
    public async Task Every_tick_fires_exactly_once_when_both_servers_fire_it_at_the_same_moment()
    {
        const int ticks = 40;
        await Schedules(_a).SaveAsync(new RecurringRequest { Name = "every-second", Cron = "* * * * * *", Queue = "rec-two" });

        for (var i = 1; i <= ticks; i++)
        {
            var tick = Start.AddSeconds(i);
            // Both clocks reach the tick, which wakes both servers' loops; then both servers also run a pass of their own.
            await Task.WhenAll(Task.Run(() => _timeA.AdvanceTo(tick)), Task.Run(() => _timeB.AdvanceTo(tick)));
            await Task.WhenAll(
                Task.Run(() => Schedules(_a).FireDueAsync()), Task.Run(() => Schedules(_b).FireDueAsync()),
                Task.Run(() => Schedules(_a).FireDueAsync()), Task.Run(() => Schedules(_b).FireDueAsync()));
        }

        var jobs = (await _a.App.Services.GetRequiredService<JobEngine>().ListAsync(new JobQuery("rec-two", null, 500, null))).Jobs;
        Assert.Equal([.. Enumerable.Range(1, ticks).Select(i => Start.AddSeconds(i))], jobs.Select(j => j.RunAt).Order());
    }

    [Fact]
    public async Task A_schedule_saved_through_one_server_is_fired_by_the_other()
    {
        await Schedules(_a).SaveAsync(new RecurringRequest { Name = "from-a", Cron = "0 * * * *", Queue = "rec-other" });
        // Server A's clock stays behind; only B reaches the tick.
        _timeB.AdvanceTo(Start.AddHours(1));

        await Eventually.TrueAsync(async () =>
        {
            // A loop that read the clock just before the move sets its timer relative to the moved clock: keep the clock
            // creeping forward (short of the next tick) until the loop has fired.
            if (_timeB.GetUtcNow() < Start.AddMinutes(90)) _timeB.Advance(TimeSpan.FromSeconds(1));
            return (await _b.App.Services.GetRequiredService<JobEngine>().ListAsync(new JobQuery("rec-other", null, 10, null))).Jobs.Count == 1;
        }, "server B's loop fires the schedule saved through A");
    }
}
