namespace Seedgate.Core.Webhooks;

/// <summary>An account's webhook endpoint as the API shows it (never its secret, which is shown once).</summary>
/// <param name="Events">Event types (<see cref="WebhookEvents"/>), or <see cref="WebhookEvents.All"/>.</param>
/// <param name="DisabledReason">Why Seedgate disabled it (deliveries kept failing); null when the account did, or it is enabled.</param>
/// <param name="PreviousSecretUntil">After a rotation: until when the previous secret signs too.</param>
public sealed record WebhookEndpoint(
    string Id,
    string AccountId,
    string Url,
    IReadOnlyList<string> Events,
    string? Description,
    bool Enabled,
    string? DisabledReason,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PreviousSecretUntil);

/// <summary>What an update of an endpoint changes; null fields stay as they are.</summary>
public sealed record WebhookEndpointChange(string? Url = null, IReadOnlyList<string>? Events = null, string? Description = null, bool? Enabled = null);

/// <summary>The states of a delivery.</summary>
public static class WebhookDeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}

/// <summary>One event on its way to one target: an endpoint, or (EndpointId null) the task's callback_url.</summary>
/// <param name="MessageId">The webhook-id header: the same on every attempt, so receivers can de-duplicate.</param>
public sealed record WebhookDelivery(
    string Id,
    string MessageId,
    string AccountId,
    string? EndpointId,
    string Url,
    string EventType,
    string JobId,
    string Status,
    int Attempts,
    DateTimeOffset NextAttemptAt,
    int? LastStatusCode,
    string? LastError,
    int? LastLatencyMs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt);

/// <summary>
/// A delivery this node leased to send now: the row, the job as its transition left it, and the secrets that sign it
/// (for a callback_url, the account's callback secret when it set one; none otherwise, as Ark's callbacks are unsigned).
/// </summary>
public sealed record DueDelivery(WebhookDelivery Delivery, Jobs.Job Job, IReadOnlyList<string> Secrets);

/// <summary>An account's callback secret as the API shows it (the secret itself is shown once, when set).</summary>
/// <param name="PreviousSecretUntil">After a rotation: until when the previous secret signs too.</param>
public sealed record CallbackSecret(DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? PreviousSecretUntil);

/// <summary>How one attempt went.</summary>
/// <param name="StatusCode">The receiver's HTTP status; null when no answer came (refused, timed out, blocked).</param>
public sealed record DeliveryAttempt(bool Succeeded, int? StatusCode, string? Error, TimeSpan Latency);
