using System.Text;
using Gantry.Core.Engine;
using Gantry.Core.Jobs;
using Gantry.Core.Options;
using Gantry.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Gantry.Core.Recurring;

/// <summary>
/// Recurring schedules' front door (HTTP, CLI, SDK and the configuration file all come through here) and the firing
/// pass the recurring loop runs. Every fire goes through the store's one-transaction <see cref="IRecurringStore.RecurringFire"/>,
/// so servers sharing a store never fire a tick twice, whatever their clocks and timers do.
/// </summary>
public sealed class RecurringSchedules
{
    private readonly IRecurringStore _store;
    private readonly ICronParser _cron;
    private readonly JobSignals _signals;
    private readonly TimeProvider _time;
    private readonly RecurringOptions _options;
    private readonly RecurringRules _rules;
    private readonly ILogger<RecurringSchedules> _log;

    public RecurringSchedules(IRecurringStore store, ICronParser cron, JobSignals signals, IOptions<GantryEngineOptions> options,
        TimeProvider time, ILogger<RecurringSchedules> log)
    {
        _store = store;
        _cron = cron;
        _signals = signals;
        _time = time;
        _options = options.Value.Recurring;
        _rules = new RecurringRules(cron, new EnqueueRules(options.Value.Limits, options.Value.Jobs));
        _log = log;
    }

    /// <summary>Creates or replaces a schedule. A changed expression or zone starts from the next tick after now; otherwise
    /// the next fire time stands, so saving an unchanged schedule (every server start, for configured ones) loses no tick.</summary>
    public async Task<(RecurringSchedule Schedule, bool Created)> SaveAsync(RecurringRequest request, RecurringSource source = RecurringSource.Api,
        CancellationToken ct = default)
    {
        var now = _time.GetUtcNow();
        var (definition, cron) = _rules.Apply(request, now);
        var existing = await _store.RecurringGet(definition.Name, ct).ConfigureAwait(false);
        var paused = request.Paused ?? existing?.Paused ?? false;
        if (existing is not null && existing.Definition.SameAs(definition) && existing.Source == source && existing.Paused == paused)
            return (existing, false);
        var next = existing is not null && existing.Definition.SameTicksAs(definition) && existing.Paused == paused
            ? existing.NextFireAt
            : cron.NextAfter(now);
        var schedule = new RecurringSchedule(definition, source, paused, next, existing?.LastFireAt, existing?.LastJobId,
            existing?.CreatedAt ?? now, now);
        await _store.RecurringSave(schedule, ct).ConfigureAwait(false);
        _signals.RecurringChanged();
        // Read back rather than returned as built: the store keeps times at its own precision (microseconds), and a
        // caller comparing this answer with a later read must see the same values.
        return (await _store.RecurringGet(definition.Name, ct).ConfigureAwait(false) ?? schedule, existing is null);
    }

    public Task<RecurringSchedule?> GetAsync(string name, CancellationToken ct = default) =>
        _store.RecurringGet(RecurringRules.Validate(name), ct);

    public Task<IReadOnlyList<RecurringSchedule>> ListAsync(CancellationToken ct = default) => _store.RecurringList(ct);

    /// <summary>The schedule's latest fires (<see cref="RecurringOptions.RecentFiresCount"/> of them), newest first.</summary>
    public Task<IReadOnlyList<RecurringFireRecord>> RecentFiresAsync(string name, CancellationToken ct = default) =>
        _store.RecurringListFires(RecurringRules.Validate(name), _options.RecentFiresCount, ct);

    public Task<bool> DeleteAsync(string name, CancellationToken ct = default) => _store.RecurringDelete(RecurringRules.Validate(name), ct);

    /// <summary>Pauses or resumes. Ticks that pass while paused are not fired; a resumed schedule goes on from the next tick after now.</summary>
    public async Task<RecurringSchedule> SetPausedAsync(string name, bool paused, CancellationToken ct = default)
    {
        var existing = await Require(name, ct).ConfigureAwait(false);
        if (existing.Paused == paused) return existing;
        var now = _time.GetUtcNow();
        var next = paused ? existing.NextFireAt : Parse(existing.Definition).NextAfter(now);
        await _store.RecurringSave(existing with { Paused = paused, NextFireAt = next, UpdatedAt = now }, ct).ConfigureAwait(false);
        _signals.RecurringChanged();
        return await Require(name, ct).ConfigureAwait(false);
    }

    /// <summary>Enqueues the schedule's job now, outside its ticks (paused or not); returns the job's id.</summary>
    public async Task<long> TriggerAsync(string name, CancellationToken ct = default)
    {
        var schedule = await Require(name, ct).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var result = await _store.RecurringFire(new RecurringFire(schedule.Name, Tick: null, ExpectedNextFireAt: null, NextFireAt: null,
            _rules.JobFor(schedule.Definition, now, now), SkipIfRunning: false, now), ct).ConfigureAwait(false);
        return result.JobId ?? throw NotFound(name);
    }

    /// <summary>The next <paramref name="count"/> ticks from the stored next fire time (none while paused).</summary>
    public IReadOnlyList<DateTimeOffset> Upcoming(RecurringSchedule schedule, int? count = null)
    {
        if (schedule.Paused || schedule.NextFireAt is not { } next) return [];
        var n = count ?? _options.UpcomingCount;
        if (n <= 0) return [];
        return [next, .. Parse(schedule.Definition).Upcoming(next, n - 1)];
    }

    /// <summary>Writes the configuration's schedules (<c>Gantry:Recurring:Schedules</c>); throws on the first invalid one,
    /// naming its key, so a server with a broken schedule in its file does not start.</summary>
    public async Task SyncConfigurationAsync(CancellationToken ct = default)
    {
        foreach (var (name, entry) in _options.Schedules.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            RecurringRequest request;
            try
            {
                request = new RecurringRequest
                {
                    Name = name, Cron = entry.Cron ?? "", TimeZone = entry.TimeZone, Queue = entry.Queue ?? "",
                    Payload = entry.Payload is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(entry.Payload),
                    Priority = entry.Priority, MaxAttempts = entry.MaxAttempts, Timeout = entry.Timeout,
                    Misfire = ParseMisfire(entry.Misfire), SkipIfRunning = entry.SkipIfRunning,
                };
                var (schedule, created) = await SaveAsync(request, RecurringSource.Config, ct).ConfigureAwait(false);
                _log.LogInformation("Recurring schedule {Name} from configuration ({Cron} {TimeZone} -> {Queue}){Created}; next fire {Next:O}",
                    name, schedule.Definition.Cron, schedule.Definition.TimeZone, schedule.Definition.Queue, created ? " created" : "",
                    schedule.NextFireAt);
            }
            catch (GantryException ex)
            {
                throw new InvalidOperationException($"Gantry:Recurring:Schedules:{name}: {ex.Message}", ex);
            }
        }
    }

    /// <summary><c>skip</c> or <c>fire_once</c> (also <c>fire-once</c>, <c>fireonce</c>, any case); null stays null.</summary>
    public static MisfirePolicy? ParseMisfire(string? text) => text?.Trim().Replace("_", "").Replace("-", "").ToLowerInvariant() switch
    {
        null or "" => null,
        "skip" => MisfirePolicy.Skip,
        "fireonce" => MisfirePolicy.FireOnce,
        _ => throw GantryException.Invalid("misfire", $"'{text}' is not a misfire policy: use skip or fire_once."),
    };

    /// <summary>One pass of the recurring loop: fires every due tick, a batch at a time, until none is due.</summary>
    public async Task<RecurringPass> FireDueAsync(CancellationToken ct = default)
    {
        var fired = 0;
        // Each (schedule, tick) is tried once per pass: a schedule this server cannot fire (see FireAsync) must not
        // keep the pass going round.
        var tried = new HashSet<(string, DateTimeOffset?)>();
        while (true)
        {
            var now = _time.GetUtcNow();
            var due = await _store.RecurringGetDue(now, _options.BatchSize, ct).ConfigureAwait(false);
            var fresh = due.Where(s => tried.Add((s.Name, s.NextFireAt))).ToList();
            if (fresh.Count == 0) return new RecurringPass(fired, LeftDue: due.Count > 0);
            foreach (var schedule in fresh) fired += await FireAsync(schedule, now, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The earliest next fire time of any unpaused schedule.</summary>
    public Task<DateTimeOffset?> NextFireAtAsync(CancellationToken ct = default) => _store.RecurringGetNextFireAt(ct);

    private async Task<int> FireAsync(RecurringSchedule schedule, DateTimeOffset now, CancellationToken ct)
    {
        CronSchedule cron;
        try
        {
            cron = Parse(schedule.Definition);
        }
        catch (GantryException ex)
        {
            // Only possible if the zone vanished from this machine's time zone data; other servers may still fire it.
            _log.LogError("Recurring schedule {Name} cannot be read on this server: {Error}", schedule.Name, ex.Message);
            return 0;
        }
        var step = RecurringPlanner.Plan(schedule, cron, now, _options.MisfireThreshold);
        NewJob? job = null;
        if (step.Fire)
        {
            try
            {
                // A missed tick's job is due now: its delay should not count the outage.
                job = _rules.JobFor(schedule.Definition, step.Misfired ? now : step.Tick, now);
            }
            catch (GantryException ex)
            {
                // The server's limits changed since the schedule was saved (a smaller payload limit, say): skip the tick loudly.
                _log.LogError("Recurring schedule {Name} skipped its tick {Tick:O}: its job is not valid any more: {Error}",
                    schedule.Name, step.Tick, ex.Message);
            }
        }
        var result = await _store.RecurringFire(new RecurringFire(schedule.Name, step.Tick, schedule.NextFireAt, step.NextFireAt, job,
            schedule.Definition.SkipIfRunning, now), ct).ConfigureAwait(false);
        if (step.Misfired && result.Outcome != RecurringFireOutcome.Stale)
        {
            _log.LogWarning("Recurring schedule {Name} missed {Missed}{More} tick(s) since {Tick:O} (misfire policy {Policy}): {Action}",
                schedule.Name, step.MissedTicks, step.MissedTicks >= RecurringPlanner.MaxMissedTicksCounted ? "+" : "", step.Tick,
                schedule.Definition.Misfire, result.Outcome == RecurringFireOutcome.Fired ? $"ran once as job {result.JobId}" : "skipped");
        }
        else if (result.Outcome == RecurringFireOutcome.SkippedRunning)
        {
            _log.LogInformation("Recurring schedule {Name} skipped its tick {Tick:O}: job {Job} of the previous run is still running",
                schedule.Name, step.Tick, schedule.LastJobId);
        }
        return result.Outcome == RecurringFireOutcome.Fired ? 1 : 0;
    }

    private CronSchedule Parse(RecurringDefinition definition) => _cron.Parse(definition.Cron, definition.TimeZone);

    private async Task<RecurringSchedule> Require(string name, CancellationToken ct) =>
        await _store.RecurringGet(RecurringRules.Validate(name), ct).ConfigureAwait(false) ?? throw NotFound(name);

    private static GantryException NotFound(string name) =>
        new(GantryErrorKind.NotFound, $"There is no recurring schedule named '{name}'.", "name");
}

/// <summary>What a firing pass did.</summary>
/// <param name="Fired">Jobs enqueued.</param>
/// <param name="LeftDue">Some due schedule could not be fired by this server; the loop then waits before looking again
/// rather than spinning on it.</param>
public readonly record struct RecurringPass(int Fired, bool LeftDue);
