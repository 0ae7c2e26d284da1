using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Gantry.Contracts;

/// <summary><c>PUT /api/recurring/{name}</c>: create or replace a schedule. Durations are in seconds.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed class RecurringScheduleRequest
{
    /// <summary>Five fields (crontab), six or seven (seconds first, optional year), or a macro such as <c>@daily</c>.</summary>
    [Required]
    public string? Cron { get; set; }
    /// <summary>IANA time zone id; defaults to UTC.</summary>
    public string? TimeZone { get; set; }
    [Required]
    public string? Queue { get; set; }
    public RawJson? Payload { get; set; }
    public string? PayloadBase64 { get; set; }
    public int? Priority { get; set; }
    public int? MaxAttempts { get; set; }
    public double? Timeout { get; set; }
    /// <summary><c>skip</c> or <c>fire_once</c> (the default).</summary>
    public string? Misfire { get; set; }
    public bool? SkipIfRunning { get; set; }
    /// <summary>Create (or keep) it paused; left out, a new schedule runs and an existing one keeps its state.</summary>
    public bool? Paused { get; set; }
}

/// <summary>A schedule, with its next fire times.</summary>
public sealed class RecurringScheduleView
{
    public string Name { get; set; } = "";
    public string Cron { get; set; } = "";
    public string TimeZone { get; set; } = "";
    public string Queue { get; set; } = "";
    public RawJson? Payload { get; set; }
    public string? PayloadBase64 { get; set; }
    public int? Priority { get; set; }
    public int? MaxAttempts { get; set; }
    public double? Timeout { get; set; }
    public string Misfire { get; set; } = "";
    public bool SkipIfRunning { get; set; }
    public bool Paused { get; set; }
    /// <summary><c>api</c> or <c>config</c> (the server's configuration file).</summary>
    public string Source { get; set; } = "";
    public DateTimeOffset? NextFireAt { get; set; }
    /// <summary>The next few fire times, the first being <c>next_fire_at</c>; empty while paused.</summary>
    public List<DateTimeOffset> Upcoming { get; set; } = [];
    public DateTimeOffset? LastFireAt { get; set; }
    public long? LastJobId { get; set; }
    /// <summary>In a single schedule's details: its latest ticks, newest first, with what each did.</summary>
    public List<RecurringFireView>? RecentFires { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A tick a schedule acted on.</summary>
public sealed class RecurringFireView
{
    public DateTimeOffset Tick { get; set; }
    /// <summary><c>fired</c>, <c>skipped_running</c> or <c>skipped_misfire</c>.</summary>
    public string Outcome { get; set; } = "";
    public long? JobId { get; set; }
    public DateTimeOffset FiredAt { get; set; }
}

public sealed class RecurringScheduleListView
{
    public List<RecurringScheduleView> Schedules { get; set; } = [];
}

/// <summary><c>POST /api/recurring/{name}/trigger</c>: the job it enqueued.</summary>
public sealed class RecurringTriggerResponse
{
    public long JobId { get; set; }
}
