using System.Globalization;
using System.Text.Json.Serialization;
using Seedgate.Core.Generation;

namespace Seedgate.Server.Dialects.Ark;

// The Ark (BytePlus ModelArk / Volcano Engine) wire format, as the official SDKs send and read it.

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
