namespace Seedgate.Client;

/// <summary>
/// The body of <c>POST /api/v3/contents/generations/tasks</c> in the Ark dialect. Properties left <see langword="null"/>
/// are not sent, so the server applies its (and the model's) defaults.
/// </summary>
public sealed record CreateTaskRequest
{
    /// <summary>The model id or alias, e.g. <c>seedance-2.0-fast</c> or <c>dreamina-seedance-2-0-260128</c>.</summary>
    public required string Model { get; init; }

    /// <summary>The prompt and the references: at most one text item, then images, videos and audio clips.</summary>
    public required IReadOnlyList<ContentItem> Content { get; init; }

    /// <summary>Output resolution: <c>480p</c>, <c>720p</c>, <c>1080p</c> or <c>2k</c> (Pro); the tier's default when omitted.</summary>
    public string? Resolution { get; init; }

    /// <summary>Aspect ratio: <c>16:9</c>, <c>4:3</c>, <c>1:1</c>, <c>3:4</c>, <c>9:16</c>, <c>21:9</c> or <c>adaptive</c>.</summary>
    public string? Ratio { get; init; }

    /// <summary>Length in seconds (4–15 on Seedance 2.0), or −1 to let the model choose.</summary>
    public int? Duration { get; init; }

    /// <summary>Random seed, −1 … 2^32−1; −1 (the default) picks one at random.</summary>
    public long? Seed { get; init; }

    /// <summary>Keeps the camera still (not supported by Seedance 2.0 or in reference mode).</summary>
    public bool? CameraFixed { get; init; }

    /// <summary>Adds a watermark to the output.</summary>
    public bool? Watermark { get; init; }

    /// <summary>Generates an audio track with the video.</summary>
    public bool? GenerateAudio { get; init; }

    /// <summary>Also returns the last frame as a PNG (<see cref="TaskContent.LastFrameUrl"/>).</summary>
    public bool? ReturnLastFrame { get; init; }

    /// <summary>An absolute URL that receives the task body on each status change.</summary>
    public Uri? CallbackUrl { get; init; }

    /// <summary>Ark service tier: <c>default</c> or <c>flex</c>.</summary>
    public string? ServiceTier { get; init; }

    /// <summary>Seconds after which a task that is still queued or running becomes <c>expired</c> (3600–259200).</summary>
    public int? ExecutionExpiresAfter { get; init; }

    /// <summary>Queue priority, 0–9 (higher first).</summary>
    public int? Priority { get; init; }

    /// <summary>Seedgate extension: a camera move such as <c>dolly_in</c> or <c>orbit_left</c>.</summary>
    public string? CameraMotion { get; init; }

    /// <summary>Seedgate extension: <c>cinematic</c>, <c>anime</c>, <c>realistic</c> or <c>3d_render</c>.</summary>
    public string? Style { get; init; }

    /// <summary>Seedgate extension: what the video should not show.</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>
    /// Seedgate extension (tier fallback): another model that can serve this whole request; after repeated transient
    /// failures the task runs on it and is billed at its price (<see cref="GenerationTask.ServedModel"/> says which served).
    /// </summary>
    public string? FallbackModel { get; init; }

    /// <summary>
    /// Seedgate extension: a <see cref="Duration"/> of 16–120 s made as one job of chained segments, each continuing the
    /// last, joined into one MP4 (models that take reference videos). Progress: <see cref="GenerationTask.LongTake"/>.
    /// </summary>
    public bool? LongTake { get; init; }
}
