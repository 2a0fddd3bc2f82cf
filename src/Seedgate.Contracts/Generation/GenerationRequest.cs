namespace Seedgate.Core.Generation;

/// <summary>
/// The canonical, dialect-neutral request for one video. Dialects translate their wire JSON into this;
/// <see cref="RequestValidator"/> checks it against the catalog and fills in every default, so a stored job
/// always carries a complete request (model id, resolution, ratio, duration, seed, audio, output format).
/// Jobs stored before a field existed read it back as its initial value (null, false or empty).
/// </summary>
public sealed record GenerationRequest
{
    /// <summary>The model as the caller named it (id or alias); after validation, the catalog id.</summary>
    public required string Model { get; init; }

    public string? Prompt { get; init; }
    public string? NegativePrompt { get; init; }
    public IReadOnlyList<Reference> References { get; init; } = [];

    /// <summary>480p, 720p, 1080p, 2k or 4k (any case; lower case after validation); null means the model's default.</summary>
    public string? Resolution { get; init; }

    /// <summary>16:9, 4:3, 1:1, 3:4, 9:16, 21:9 or adaptive (the first visual reference's ratio); null means 16:9.</summary>
    public string? Ratio { get; init; }

    /// <summary>Seconds; -1 lets the engine choose; null means the model's default.</summary>
    public int? Duration { get; init; }

    /// <summary>
    /// After validation: the caller let the model choose the length (-1). <see cref="Duration"/> then holds the
    /// catalog's auto seconds (what the sandbox renders); the upstream may choose up to the model's maximum, so that is
    /// what the job reserves.
    /// </summary>
    public bool AutoDuration { get; init; }

    /// <summary>Frames per second; only 24 is offered; null means 24.</summary>
    public int? FramesPerSecond { get; init; }

    public bool? GenerateAudio { get; init; }

    /// <summary>-1 (or null) means random; validation replaces it with the seed actually used.</summary>
    public long? Seed { get; init; }

    public Style? Style { get; init; }
    public CameraMotion? CameraMotion { get; init; }
    public bool CameraFixed { get; init; }
    public bool Watermark { get; init; }
    public bool ReturnLastFrame { get; init; }
    public string? CallbackUrl { get; init; }

    /// <summary>0 (default) to 9; higher runs first.</summary>
    public int Priority { get; init; }

    /// <summary>Seconds after creation at which an unfinished job becomes expired (3600–259200).</summary>
    public int? ExecutionExpiresAfter { get; init; }

    public string? ServiceTier { get; init; }

    /// <summary>
    /// Ark's <c>safety_identifier</c>: the caller's id of its end user (1–64 characters), for the upstream's abuse
    /// detection; kept, echoed and forwarded, never interpreted. Null: none.
    /// </summary>
    public string? SafetyIdentifier { get; init; }

    /// <summary>
    /// The output container, one of the model's <c>field_rules.output_formats</c> (mp4, or mov on Seedance 2.5);
    /// null means the model's default (the first listed). The sandbox renders MP4 whatever it says.
    /// </summary>
    public string? OutputFormat { get; init; }

    /// <summary>Tools the model may use while generating (Ark's <c>tools</c>: web search); empty: none. At most one of each.</summary>
    public IReadOnlyList<GenerationTool> Tools { get; init; } = [];

    /// <summary>Ark's <c>draft</c> (a quick 480p preview; Seedance 1.5 pro only): true only where the model's field rules allow it.</summary>
    public bool Draft { get; init; }

    /// <summary>
    /// Seedgate's tier fallback (<c>fallback_model</c>), opt-in: after <c>Seedgate:Dispatch:FallbackAfterFailures</c>
    /// transient failures the job's next attempt runs on this model (a catalog id after validation, which
    /// checks that it can serve the request) and is billed at its price. When the job falls back, <see cref="Model"/>
    /// becomes this id (see <see cref="Jobs.Job.ServedByFallback"/>). Null: the job fails after its attempts as usual.
    /// </summary>
    public string? FallbackModel { get; init; }

    /// <summary>
    /// Seedgate's long take (<c>long_take</c>): a <see cref="Duration"/> past the model's longest clip (up to
    /// <see cref="LongTakeRules.MaxSeconds"/>) made as one job of chained segments, each continuing the last (see
    /// <see cref="Jobs.LongTakes"/>). After validation true only when the duration needs more than one segment.
    /// </summary>
    public bool LongTake { get; init; }

    /// <summary>
    /// Draft → final (Ark's <c>draft_task</c> content item): the caller's earlier, succeeded task whose prompt, references,
    /// seed, camera motion, style, ratio and duration this request re-runs on its own model, each field this request sets
    /// taking precedence (see <see cref="Jobs.DraftPromotion"/>). Kept with the job, which by then carries the merged fields.
    /// </summary>
    public string? DraftTaskId { get; init; }

    /// <summary>
    /// Set by <see cref="Jobs.JobSubmitter"/> from the account's plan (<c>upscale_small_images</c>), never by a dialect:
    /// a reference image whose short side is under the model's <c>min_image_side</c> is scaled up to it instead of
    /// refused. Kept with the job, so an image fetched later is treated as the plan said at submit.
    /// </summary>
    public bool UpscaleSmallImages { get; init; }
}

/// <summary>A tool a model may use while generating (Ark's <c>tools[].type</c>).</summary>
public enum GenerationTool
{
    /// <summary><c>web_search</c>: the model may search the web for what the prompt names (Seedance 2.x).</summary>
    WebSearch,
}

/// <summary>One input reference: an image, video or audio clip with its role.</summary>
/// <param name="Kind">Image, video or audio.</param>
/// <param name="Role">How the engine uses it.</param>
/// <param name="Url">http(s) URL, data: URL, or (after submission) a blob: key of Seedgate's own storage.</param>
/// <param name="Param">The wire path of this reference in the caller's dialect (e.g. content[1]), for error messages.</param>
public sealed record Reference(ReferenceKind Kind, ReferenceRole Role, string Url, string Param);

public enum ReferenceKind
{
    Image,
    Video,
    Audio,
}

public enum ReferenceRole
{
    FirstFrame,
    LastFrame,
    ReferenceImage,
    ReferenceVideo,
    ReferenceAudio,
}

public enum Style
{
    Cinematic,
    Anime,
    Realistic,
    Render3D,
}

public enum CameraMotion
{
    DollyIn,
    DollyOut,
    PanLeft,
    PanRight,
    TiltUp,
    TiltDown,
    OrbitLeft,
    OrbitRight,
    CraneUp,
    CraneDown,
    ZoomIn,
    ZoomOut,
}
