using System.Text.Json.Serialization;

namespace Seedgate.Server.Dialects.SeedanceV1;

// The aggregator shape of seed article 000 (POST /seedance/v1/videos, GET /seedance/v1/videos/{job_id}).

internal sealed class V1CreateBody
{
    public string? Model { get; set; }
    public string? Prompt { get; set; }
    public string? Resolution { get; set; }
    public int? Duration { get; set; }
    public string? AspectRatio { get; set; }
    public bool? Audio { get; set; }
    public long? Seed { get; set; }
    public string? NegativePrompt { get; set; }
    public string? Style { get; set; }
    public string? CameraMotion { get; set; }
    public string? ImageUrl { get; set; }
    public string? ImageBase64 { get; set; }
    public List<V1Reference?>? References { get; set; }

    // Seedgate's tier fallback, as in the Ark dialect.
    public string? FallbackModel { get; set; }

    // Seedgate's long take (duration past the model's longest clip), as in the Ark dialect.
    public bool? LongTake { get; set; }
}

internal sealed class V1Reference
{
    public string? Type { get; set; }
    public string? Role { get; set; }
    public string? Url { get; set; }
}

internal sealed record V1Created(string JobId, string Status);

internal sealed record V1Job(
    string JobId,
    string Model,
    string Status,
    V1Output? Output,
    V1Error? Error,
    V1Usage? Usage,
    decimal? ReservedUsd,
    string? Resolution,
    string? AspectRatio,
    int? Duration,
    long? Seed,
    bool? Audio,
    long CreatedAt,
    long UpdatedAt,
    string? CorrelationId,
    long? RetryAt,
    long? FilesExpireAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? FallbackModel = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ServedModel = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] LongTakeView? LongTake = null);

internal sealed record V1Output(string VideoUrl, string? LastFrameUrl);

internal sealed record V1Error(string Code, string Message);

/// <param name="CostUsd">What the account is charged: $0 when the month's free quota covered the job.</param>
/// <param name="PriceUsd">The price of what was made (before the free quota); null for a content-policy fee.</param>
internal sealed record V1Usage(double Seconds, decimal CostUsd, decimal? PriceUsd, bool FreeQuota);

internal sealed record V1ErrorBody(V1ErrorDetail Error);

internal sealed record V1ErrorDetail(string Code, string Message, string? Param);
