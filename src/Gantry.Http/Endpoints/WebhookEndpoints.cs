using System.Text;
using System.Text.Json;
using Gantry.Contracts;
using Gantry.Core;
using Gantry.Core.Jobs;
using Gantry.Core.Webhooks;
using Gantry.Http.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gantry.Http;

/// <summary>Webhooks over HTTP: create or update, read with cursors and recent deliveries, list, delete. The deliveries
/// are jobs, so they are also visible (and cancellable) through the job endpoints on their queue.</summary>
internal static class WebhookEndpoints
{
    private static readonly GantryJsonContext Json = GantryJsonContext.Default;

    public static void Map(RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/webhooks").WithTags("Webhooks");
        webhooks.MapPut("/{name}", Save).WithOperationId("SaveWebhook").AcceptsJson<WebhookRequest>()
            .Produces<WebhookView>(StatusCodes.Status201Created).Produces<WebhookView>()
            .ProducesProblems(StatusCodes.Status400BadRequest)
            .WithSummary("Create (201) or update (200) a webhook that POSTs each message of 'topic' (or a pattern) to 'url', signed the " +
                         "Standard Webhooks way. The answer carries the secret in full when this call made or changed it.");
        webhooks.MapGet("", List).WithOperationId("ListWebhooks").Produces<WebhookListView>().WithSummary("Every webhook with its cursors.");
        webhooks.MapGet("/{name}", Get).WithOperationId("GetWebhook").Produces<WebhookView>()
            .ProducesProblems(StatusCodes.Status404NotFound).WithSummary("A webhook's settings, cursors and recent deliveries.");
        webhooks.MapDelete("/{name}", Delete).WithOperationId("DeleteWebhook").Produces(StatusCodes.Status204NoContent)
            .ProducesProblems(StatusCodes.Status404NotFound).WithSummary("Delete a webhook; its deliveries not yet running are cancelled.");
    }

    private static async Task<IResult> Save(string name, HttpRequest request, WebhookEngine engine)
    {
        var body = await request.ReadJsonAsync(Json.WebhookRequest);
        var saved = await engine.SaveAsync(name, body.Topic, body.Url, body.Secret, From(body.From), request.HttpContext.RequestAborted);
        return Results.Json(ToWire(saved.Webhook, saved.ShowSecret, null), Json.WebhookView,
            statusCode: saved.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    /// <summary><c>from</c> as text: a string as it is, a whole number as its digits.</summary>
    private static string? From(RawJson? from)
    {
        if (from is not { } raw) return null;
        var reader = new Utf8JsonReader(raw.Utf8.Span);
        reader.Read();
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString(),
            JsonTokenType.Number when reader.TryGetInt64(out var n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
            JsonTokenType.Null => null,
            _ => throw GantryException.Invalid("from", "from must be \"first\", \"last\" or an offset (a whole number of 1 or more)."),
        };
    }

    private static async Task<IResult> List(WebhookEngine engine, HttpContext context)
    {
        var webhooks = await engine.ListAsync(context.RequestAborted);
        return Results.Json(new WebhookListView { Webhooks = webhooks.Select(w => ToWire(w, false, null)).ToList() }, Json.WebhookListView);
    }

    private static async Task<IResult> Get(string name, WebhookEngine engine, HttpContext context)
    {
        var webhook = await engine.GetAsync(name, context.RequestAborted) ?? throw NoWebhook(name);
        var history = await engine.HistoryAsync(name, context.RequestAborted);
        return Results.Json(ToWire(webhook, false, history), Json.WebhookView);
    }

    private static async Task<IResult> Delete(string name, WebhookEngine engine, HttpContext context) =>
        await engine.DeleteAsync(name, context.RequestAborted) ? Results.NoContent() : throw NoWebhook(name);

    private static WebhookView ToWire(Webhook w, bool showSecret, IReadOnlyList<Job>? history) => new()
    {
        Name = w.Name, Topic = w.Topic, Url = w.Url, Secret = showSecret ? w.Secret : WebhookSecret.Mask(w.Secret),
        Queue = WebhookQueues.Of(w.Name), Epoch = w.Epoch, CreatedAt = w.CreatedAt, UpdatedAt = w.UpdatedAt,
        Cursors = w.Cursors.Select(c => new WebhookCursorView
        {
            Topic = c.Topic, TopicEpoch = c.TopicEpoch == WebhookCursor.AnyEpoch ? null : c.TopicEpoch, Offset = c.Offset, UpdatedAt = c.UpdatedAt,
        }).ToList(),
        Deliveries = history?.Select(ToWire).ToList(),
    };

    private static WebhookDeliveryView ToWire(Job job)
    {
        var delivery = WebhookDeliveryJob.TryParse(job.Payload);
        var result = job.Result is { } r ? Encoding.UTF8.GetString(r.Span) : null;
        var lastError = job.Errors.Count > 0 ? job.Errors[^1] : null;
        var view = new WebhookDeliveryView
        {
            JobId = job.Id, Topic = delivery?.Topic, Offset = delivery?.Offset, State = job.State.ToWire(), Attempts = job.Attempt,
            MaxAttempts = job.MaxAttempts, CreatedAt = job.CreatedAt, StartedAt = job.StartedAt, FinishedAt = job.FinishedAt,
            NextAttemptAt = job.State == JobState.Failed ? job.RunAt : null, LastError = lastError?.Message,
            StatusCode = WebhookDelivery.StatusCodeOf(result) ?? WebhookDelivery.StatusCodeOf(lastError?.Details),
        };
        if (delivery is not null && result is not null) view.Skipped = SkippedOf(result);
        return view;
    }

    private static string? SkippedOf(string result)
    {
        try
        {
            using var doc = JsonDocument.Parse(result);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("skipped", out var skipped)
                   && skipped.ValueKind == JsonValueKind.String ? skipped.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static GantryException NoWebhook(string name) =>
        new(GantryErrorKind.NotFound, $"name: there is no webhook '{name}' (see GET /api/webhooks).", "name");
}
