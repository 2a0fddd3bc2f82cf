namespace Seedgate.Client;

/// <summary>One of the caller's webhook endpoints (<c>/v1/webhooks</c>).</summary>
public sealed record WebhookEndpoint
{
    /// <summary>ep_…</summary>
    public string Id { get; init; } = "";

    /// <summary>Where deliveries are POSTed.</summary>
    public string Url { get; init; } = "";

    /// <summary>The event types it receives (<c>job.queued</c>, <c>job.running</c>, <c>job.succeeded</c>, …), or <c>*</c> for all.</summary>
    public IReadOnlyList<string> Events { get; init; } = [];

    /// <summary>A label of the caller's.</summary>
    public string? Description { get; init; }

    /// <summary>Whether deliveries go out to it.</summary>
    public bool Enabled { get; init; }

    /// <summary>Why Seedgate disabled it (its deliveries kept failing); <see langword="null"/> otherwise.</summary>
    public string? DisabledReason { get; init; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>After a secret rotation: until when the previous secret signs too.</summary>
    public DateTimeOffset? PreviousSecretUntil { get; init; }

    /// <summary>The signing secret (<c>whsec_…</c>): only in the answer to the creation, never again.</summary>
    public string? Secret { get; init; }
}

/// <summary>One event on its way to one target (an endpoint, or a task's <c>callback_url</c>).</summary>
public sealed record WebhookDelivery
{
    /// <summary>dlv_…</summary>
    public string Id { get; init; } = "";

    /// <summary>The <c>webhook-id</c> header it carries: the same on every attempt.</summary>
    public string MessageId { get; init; } = "";

    /// <summary>The endpoint; <see langword="null"/> for a <c>callback_url</c> delivery.</summary>
    public string? EndpointId { get; init; }

    /// <summary>Where it goes.</summary>
    public string Url { get; init; } = "";

    /// <summary>The event type, e.g. <c>job.succeeded</c>.</summary>
    public string EventType { get; init; } = "";

    /// <summary>The task it is about.</summary>
    public string JobId { get; init; } = "";

    /// <summary><c>pending</c>, <c>delivered</c> or <c>failed</c> (the retry schedule ran out).</summary>
    public string Status { get; init; } = "";

    /// <summary>Attempts made.</summary>
    public int Attempts { get; init; }

    /// <summary>When a pending delivery is tried next.</summary>
    public DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>The receiver's HTTP status at the last attempt; <see langword="null"/> when none answered.</summary>
    public int? LastStatusCode { get; init; }

    /// <summary>What went wrong at the last attempt.</summary>
    public string? LastError { get; init; }

    /// <summary>How long the last attempt took, in milliseconds.</summary>
    public int? LastLatencyMs { get; init; }

    /// <summary>When the transition it announces happened.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was delivered or given up.</summary>
    public DateTimeOffset? FinishedAt { get; init; }
}

/// <summary>What <see cref="SeedgateClient.CreateWebhookAsync"/> registers.</summary>
/// <param name="Url">Where deliveries go (http or https; a private address only where the server allows it).</param>
/// <param name="Events">Event types; <see langword="null"/>: all.</param>
/// <param name="Description">A label.</param>
public sealed record CreateWebhookRequest(string Url, IReadOnlyList<string>? Events = null, string? Description = null);

/// <summary>The caller's callback secret (<c>/v1/webhooks/callback-secret</c>), which signs its <c>callback_url</c> deliveries.</summary>
public sealed record CallbackSecret
{
    /// <summary>Whether the account has one (without it, callback_url deliveries go unsigned, as Ark's).</summary>
    public bool Configured { get; init; }

    /// <summary>When it was first set.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>When it was last set or rotated.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>After a rotation: until when the previous secret signs too.</summary>
    public DateTimeOffset? PreviousSecretUntil { get; init; }

    /// <summary>The secret (<c>whsec_…</c>): only in the answer that sets it, never again.</summary>
    public string? Secret { get; init; }
}

/// <summary>The body of POST /v1/webhooks/callback-secret as the client sends it.</summary>
internal sealed record CallbackSecretBody(long? OverlapSeconds);

/// <summary>A <c>{"data":[…]}</c> list of the webhook routes.</summary>
internal sealed record WebhookList<T>(IReadOnlyList<T>? Data);

/// <summary>The body of PATCH /v1/webhooks/{id} as the client sends it.</summary>
internal sealed record WebhookChangeBody(bool? Enabled);
