using System.Text.Json.Serialization;

namespace Seedgate.Server.Dialects.Variants;

// The variant shape of seed article 004 (Modellix's /api/v1): every answer in the envelope {"code","message","data"},
// code 0 on success and the HTTP status on an error.

internal sealed class VariantCreateBody
{
    public string? Prompt { get; set; }
    public List<VariantMedia?>? Images { get; set; }
    public List<VariantMedia?>? Videos { get; set; }
    public List<VariantMedia?>? Audios { get; set; }
    public string? Resolution { get; set; }
    public string? Ratio { get; set; }
    public int? Duration { get; set; }
    public bool? GenerateAudio { get; set; }
    public long? Seed { get; set; }
}

/// <summary>One input: <c>{"url", "role"}</c>; a role only on images (first_frame, last_frame, reference).</summary>
internal sealed class VariantMedia
{
    public string? Url { get; set; }
    public string? Role { get; set; }
}

internal sealed record VariantEnvelope<T>(int Code, string Message, T? Data);

internal sealed record VariantCreated(string TaskId, string Status, VariantLink GetResult);

internal sealed record VariantLink(string Url);

internal sealed record VariantTask(
    string TaskId,
    string ModelId,
    string Status,
    VariantResult? Result,
    VariantError? Error,
    VariantUsage? Usage,
    decimal? ReservedUsd,
    string? Resolution,
    string? Ratio,
    int? Duration,
    long? Seed,
    bool? GenerateAudio,
    long CreatedAt,
    long UpdatedAt,
    string? CorrelationId,
    long? RetryAt,
    long? FilesExpireAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LongTakeView? LongTake = null);

internal sealed record VariantResult(string VideoUrl, string? LastFrameUrl, double Duration, int Width, int Height, bool HasAudio);

internal sealed record VariantError(string Code, string Message, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Param = null);

/// <param name="Seconds">Seconds of video made (what is billed).</param>
/// <param name="CostUsd">What the account is charged: $0 when the month's free quota covered the task.</param>
internal sealed record VariantUsage(double Seconds, decimal CostUsd);

/// <summary>An error answer: the envelope without data, plus the field at fault (a Seedgate extension).</summary>
internal sealed record VariantErrorBody(int Code, string Message, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Param);
