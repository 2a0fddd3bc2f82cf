using System.Globalization;
using System.Text.Json.Serialization;

namespace Seedgate.Server.Dialects.Ark;

// The Ark (BytePlus ModelArk / Volcano Engine) wire format, as the official SDKs send and read it.

internal sealed class ArkCreateTaskBody
{
    public string? Model { get; set; }
    public List<ArkContentItem?>? Content { get; set; }
    public string? Resolution { get; set; }
    public string? Ratio { get; set; }
    public int? Duration { get; set; }
    public int? Frames { get; set; }
    public int? Framespersecond { get; set; }
    public long? Seed { get; set; }
    public bool? CameraFixed { get; set; }
    public bool? Watermark { get; set; }
    public bool? GenerateAudio { get; set; }
    public bool? ReturnLastFrame { get; set; }
    public string? CallbackUrl { get; set; }
    public string? ServiceTier { get; set; }
    public int? ExecutionExpiresAfter { get; set; }
    public int? Priority { get; set; }

    // Newer than the seeds (the Go SDK's CreateContentGenerationTaskRequest; reference §1.8).
    public string? SafetyIdentifier { get; set; }
    public string? OutputFormat { get; set; }
    public List<ArkTool?>? Tools { get; set; }
    public bool? Draft { get; set; }

    // Seedgate extensions (real Ark ignores them).
    public string? CameraMotion { get; set; }
    public string? Style { get; set; }
    public string? NegativePrompt { get; set; }
    public string? FallbackModel { get; set; }
    public bool? LongTake { get; set; }
}

internal sealed class ArkContentItem
{
    public string? Type { get; set; }
    public string? Text { get; set; }
    public ArkUrl? ImageUrl { get; set; }
    public ArkUrl? VideoUrl { get; set; }
    public ArkUrl? AudioUrl { get; set; }
    public ArkDraftTask? DraftTask { get; set; }
    public string? Role { get; set; }
}

/// <summary>A <c>draft_task</c> content item's body: <c>{"id":"cgt-…"}</c>, the task to promote.</summary>
internal sealed class ArkDraftTask
{
    public string? Id { get; set; }
}

internal sealed class ArkUrl
{
    public string? Url { get; set; }
}

/// <summary>One of <c>tools</c>: <c>{"type":"web_search"}</c>, in a request and in a task view.</summary>
internal sealed class ArkTool
{
    public string? Type { get; set; }
}

internal sealed record ArkCreated(string Id);

internal sealed record ArkTask(
    string Id,
    string Model,
    string Status,
    ArkTaskContent? Content,
    ArkUsage? Usage,
    ArkTaskError? Error,
    long? Seed,
    string? Resolution,
    string? Ratio,
    int? Duration,
    int Framespersecond,
    bool? GenerateAudio,
    bool? Watermark,
    string? ServiceTier,
    int? ExecutionExpiresAfter,
    int Priority,
    bool Draft,
    string? DraftTaskId,
    string? SafetyIdentifier,
    IReadOnlyList<ArkTool> Tools,
    string? OutputFormat,
    long CreatedAt,
    long UpdatedAt,
    ArkCost? Cost,
    ArkCost? ReservedCost,
    string? CorrelationId,
    long? RetryAt,
    long? FilesExpireAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? QueuePosition = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? EstimatedStartAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FallbackModel = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ServedModel = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LongTakeView? LongTake = null);

internal sealed record ArkTaskContent(string VideoUrl, string? LastFrameUrl);

internal sealed record ArkUsage(long CompletionTokens, long TotalTokens);

internal sealed record ArkTaskError(string Code, string Message);

/// <summary>
/// Seedgate's cost extension: exact micro-dollars, plus a decimal string for people. As a task's <c>cost</c>, what the
/// account is charged, with the price of what was made and whether the month's free quota covered it.
/// </summary>
internal sealed record ArkCost(
    long AmountMicros,
    string Amount,
    string Currency,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? PriceMicros = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? FreeQuota = null)
{
    public static ArkCost? Of(long? micros, long? priceMicros = null, bool? freeQuota = null) => micros is { } amount
        ? new ArkCost(amount, (amount / 1_000_000m).ToString("0.000000", CultureInfo.InvariantCulture), "USD", priceMicros, freeQuota)
        : null;
}

internal sealed record ArkTaskList(long Total, IReadOnlyList<ArkTask> Items);

internal sealed record ArkErrorBody(ArkErrorDetail Error);

internal sealed record ArkErrorDetail(string Code, string Message, string? Param, string Type);
