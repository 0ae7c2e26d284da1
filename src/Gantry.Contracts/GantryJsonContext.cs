using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Contracts;

/// <summary>Source-generated serializers for every wire shape: snake_case names, nulls left out. Requests refuse
/// unknown fields (a typo gets an error, not silence); responses may grow fields without breaking older SDKs.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    ReadCommentHandling = JsonCommentHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(EnqueueJobRequest))]
[JsonSerializable(typeof(EnqueueBatchRequest))]
[JsonSerializable(typeof(EnqueuedJob))]
[JsonSerializable(typeof(EnqueueBatchResponse))]
[JsonSerializable(typeof(FetchRequest))]
[JsonSerializable(typeof(FetchResponse))]
[JsonSerializable(typeof(LeasesRequest))]
[JsonSerializable(typeof(CompleteRequest))]
[JsonSerializable(typeof(FailRequest))]
[JsonSerializable(typeof(LeaseOutcomes))]
[JsonSerializable(typeof(LeaseOutcome))]
[JsonSerializable(typeof(LeaseItem))]
[JsonSerializable(typeof(CompletionItem))]
[JsonSerializable(typeof(FailureItem))]
[JsonSerializable(typeof(JobView))]
[JsonSerializable(typeof(JobPageView))]
[JsonSerializable(typeof(CancelResponse))]
[JsonSerializable(typeof(QueueListView))]
[JsonSerializable(typeof(QueueView))]
[JsonSerializable(typeof(QueueSettingsRequest))]
[JsonSerializable(typeof(HealthView))]
[JsonSerializable(typeof(StatsView))]
[JsonSerializable(typeof(QueueStatsView))]
[JsonSerializable(typeof(RecurringScheduleRequest))]
[JsonSerializable(typeof(RecurringScheduleView))]
[JsonSerializable(typeof(RecurringFireView))]
[JsonSerializable(typeof(RecurringScheduleListView))]
[JsonSerializable(typeof(RecurringTriggerResponse))]
[JsonSerializable(typeof(PublishRequest))]
[JsonSerializable(typeof(PublishedMessage))]
[JsonSerializable(typeof(PublishBatchResponse))]
[JsonSerializable(typeof(MessageView))]
[JsonSerializable(typeof(MessagePage))]
[JsonSerializable(typeof(TopicView))]
[JsonSerializable(typeof(TopicListView))]
[JsonSerializable(typeof(TopicSettingsRequest))]
[JsonSerializable(typeof(GroupFetchRequest))]
[JsonSerializable(typeof(GroupFetchResponse))]
[JsonSerializable(typeof(DeliveriesRequest))]
[JsonSerializable(typeof(DeliveryOutcomes))]
[JsonSerializable(typeof(GroupView))]
[JsonSerializable(typeof(GroupListView))]
[JsonSerializable(typeof(GroupResetRequest))]
[JsonSerializable(typeof(GroupSettingsRequest))]
[JsonSerializable(typeof(SubscriberListView))]
[JsonSerializable(typeof(DeadLetterList))]
[JsonSerializable(typeof(ReplayRequest))]
[JsonSerializable(typeof(ReplayResponse))]
[JsonSerializable(typeof(WebhookRequest))]
[JsonSerializable(typeof(WebhookView))]
[JsonSerializable(typeof(WebhookListView))]
public sealed partial class GantryJsonContext : JsonSerializerContext;
