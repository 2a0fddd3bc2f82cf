using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Server.Edge;
using Seedgate.Server.Outputs;

namespace Seedgate.Server.Dialects.SeedanceV1;

/// <summary>
/// The SeeDance v1 dialect of the aggregators (seed article 000): prompt, aspect_ratio, audio, image_url or
/// image_base64, references[] with subject/environment/motion/audio roles. Statuses read queued, processing,
/// completed, failed, cancelled, expired. Jobs are shared with every other dialect. The shape has no equivalent of
/// Ark's newer fields (safety_identifier, output_format, tools, draft, service_tier): its jobs get the model's defaults
/// (mp4, no tools, no draft), and its view does not show them (an Ark GET of the same job does).
/// </summary>
internal static class SeedanceV1Dialect
{
    public const string Root = "/seedance/v1";
    public const string BasePath = Root + "/videos";
    private const int MaxReferences = 12;
    private const int MaxWaitSeconds = 60;

    public static IDialectErrors Errors { get; } = new V1Errors();

    private static readonly ParamNames Names = new(new Dictionary<string, string>
    {
        ["ratio"] = "aspect_ratio",
        ["generate_audio"] = "audio",
        ["references"] = "references",
    });

    public static IEndpointRouteBuilder MapSeedanceV1Dialect(this IEndpointRouteBuilder app)
    {
        var videos = app.MapDialectGroup(BasePath, Errors, "SeeDance v1 dialect");
        videos.MapPost("", CreateAsync)
            .Accepts<V1CreateBody>("application/json")
            .Produces<V1Created>()
            .WithSummary("Submits a video job.");
        videos.MapGet("/{jobId}", GetAsync)
            .Produces<V1Job>()
            .WithSummary("Gets a video job; ?wait=N (≤ 60) long-polls.");
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, JobSubmitter submitter)
    {
        var body = await DialectJson.ReadAsync<V1CreateBody>(context.Request, context.RequestAborted);
        var job = await submitter.SubmitAsync(
            DialectJson.Submission(context, JobDialects.SeedanceV1), ToCanonical(body), Names, context.RequestAborted);

        // A replayed create (same Idempotency-Key) answers with its job's current status.
        return Results.Json(new V1Created(job.Id, StatusName(job.VisibleStatus)), DialectJson.Options);
    }

    private static async Task<IResult> GetAsync(string jobId, int? wait, HttpContext context, JobWaiter waiter, OutputLinks links)
    {
        var job = await DialectJson.OwnJobAsync(context, waiter, jobId, wait, MaxWaitSeconds);
        return job is null
            ? Errors.Result(new SeedgateError(ErrorCodes.NotFound, $"The job {jobId} was not found.", "job_id"))
            : Results.Json(ToView(job, links.BaseUrl(context.Request), links), DialectJson.Options);
    }

    internal static GenerationRequest ToCanonical(V1CreateBody body)
    {
        if (body.Duration == -1)
        {
            // The aggregator shape has no "model chooses" length; the model's own range is checked with the other fields.
            throw new SeedgateException(SeedgateError.Invalid("duration", "duration must be a whole number of seconds in the model's range; -1 (the model chooses) is an Ark-dialect value."));
        }

        var references = new List<Reference>();
        var image = FirstFrame(body);
        if (image is not null)
        {
            references.Add(image);
        }

        var items = body.References ?? [];
        if (items.Count > MaxReferences)
        {
            throw new SeedgateException(SeedgateError.Invalid("references", $"references may hold at most {MaxReferences} items (got {items.Count})."));
        }

        for (var i = 0; i < items.Count; i++)
        {
            references.Add(ToReference(items[i], i));
        }

        return new GenerationRequest
        {
            Model = body.Model ?? "",
            Prompt = body.Prompt,
            NegativePrompt = body.NegativePrompt,
            References = references,
            Resolution = body.Resolution,
            Ratio = body.AspectRatio ?? "16:9",
            Duration = body.Duration,
            GenerateAudio = body.Audio ?? false,
            Seed = body.Seed,
            Style = ArkCreateReader.Parse<Style>(body.Style, "style", WireNames.Styles, WireNames.TryParse),
            CameraMotion = ArkCreateReader.Parse<CameraMotion>(body.CameraMotion, "camera_motion", WireNames.CameraMotions, WireNames.TryParse),
            FallbackModel = body.FallbackModel,
            LongTake = body.LongTake ?? false,
        };
    }

    private static Reference? FirstFrame(V1CreateBody body)
    {
        if (body.ImageUrl is not null && body.ImageBase64 is not null)
        {
            throw new SeedgateException(SeedgateError.Invalid("image_base64", "Give image_url or image_base64, not both."));
        }

        if (body.ImageUrl is not null)
        {
            return new Reference(ReferenceKind.Image, ReferenceRole.FirstFrame, body.ImageUrl, "image_url");
        }

        return body.ImageBase64 is null
            ? null
            : new Reference(ReferenceKind.Image, ReferenceRole.FirstFrame, Base64Image.ToDataUrl(body.ImageBase64, "image_base64"), "image_base64");
    }

    private static Reference ToReference(V1Reference? item, int index)
    {
        var param = $"references[{index}]";
        if (item is null)
        {
            throw new SeedgateException(SeedgateError.Invalid(param, $"{param} must be an object."));
        }

        var (kind, role) = item.Type switch
        {
            "image" => (ReferenceKind.Image, ReferenceRole.ReferenceImage),
            "video" => (ReferenceKind.Video, ReferenceRole.ReferenceVideo),
            "audio" => (ReferenceKind.Audio, ReferenceRole.ReferenceAudio),
            null => throw new SeedgateException(SeedgateError.Missing($"{param}.type", $"{param}.type is required (image, video or audio).")),
            _ => throw new SeedgateException(SeedgateError.Invalid($"{param}.type", $"{param}.type must be image, video or audio (got '{item.Type}').")),
        };
        var roleFits = item.Role switch
        {
            null => true,
            "subject" or "environment" or "motion" => kind != ReferenceKind.Audio,
            "audio" => kind == ReferenceKind.Audio,
            _ => throw new SeedgateException(SeedgateError.Invalid(
                $"{param}.role", $"{param}.role must be subject, environment, motion or audio (got '{item.Role}').")),
        };
        if (!roleFits)
        {
            throw new SeedgateException(SeedgateError.Invalid($"{param}.role", $"{param}.role '{item.Role}' does not fit a {item.Type} reference."));
        }

        return string.IsNullOrWhiteSpace(item.Url)
            ? throw new SeedgateException(SeedgateError.Missing($"{param}.url", $"{param}.url is required."))
            : new Reference(kind, role, item.Url, $"{param}.url");
    }

    private static string StatusName(JobStatus status) => status switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Running => "processing",
        JobStatus.Succeeded => "completed",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        JobStatus.Expired => "expired",
    };

    /// <summary>The job view; links start at <paramref name="site"/> (<see cref="OutputLinks.BaseUrl(HttpRequest)"/>).</summary>
    internal static V1Job ToView(Job job, string site, OutputLinks links)
    {
        var outputs = job.Status == JobStatus.Succeeded ? job.Outputs : null;
        var status = StatusName(job.VisibleStatus);
        return new V1Job(
            job.Id,
            job.RequestedModel,
            status,
            OutputLinks.KeptOutputs(job) is { } files ? new V1Output(links.UrlFor(site, files.VideoKey)!, links.UrlFor(site, files.LastFrameKey)) : null,
            job.Status is JobStatus.Failed or JobStatus.Expired && job.Error is { } error ? new V1Error(V1Errors.CodeOf(error.Code), error.Message) : null,
            job.FinalCostMicros is { } cost
                ? new V1Usage(outputs?.DurationSeconds ?? 0, cost / 1_000_000m, outputs is null ? null : job.CostMicros / 1_000_000m, job.CoveredByFreeQuota)
                : null,
            job.ReservedMicros / 1_000_000m,
            job.Request.Resolution,
            outputs?.Ratio ?? job.Request.Ratio,
            outputs is null ? job.Request.Duration : (int)Math.Round(outputs.DurationSeconds),
            job.Request.Seed,
            job.Request.GenerateAudio,
            DialectJson.UnixSeconds(job.CreatedAt),
            DialectJson.UnixSeconds(job.UpdatedAt),
            job.CorrelationId,
            job.RetryAt is { } retryAt ? DialectJson.UnixSeconds(retryAt) : null,
            links.FilesExpireAt(job),
            job.Request.FallbackModel,
            job.Request.FallbackModel is null ? null : job.Request.Model,
            LongTakeView.Of(job));
    }

    private sealed class V1Errors : IDialectErrors
    {
        public static string CodeOf(string code) => code switch
        {
            ErrorCodes.MissingParameter => "missing_parameter",
            ErrorCodes.InvalidParameter => "invalid_parameter",
            ErrorCodes.ModelNotOpen => "model_not_found",
            ErrorCodes.InputTextSensitiveContentDetected or ErrorCodes.InputImageSensitiveContentDetected
                or ErrorCodes.OutputVideoSensitiveContentDetected => "content_policy_violation",
            ErrorCodes.AuthenticationError => "authentication_error",
            ErrorCodes.AccountOverdueError => "budget_exceeded",
            ErrorCodes.NotFound => "not_found",
            ErrorCodes.InvalidAction => "invalid_action",
            ErrorCodes.IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCodes.RateLimitExceeded => "rate_limit_exceeded",
            ErrorCodes.QuotaExceeded => "too_many_tasks",
            ErrorCodes.ServiceUnavailable => "service_unavailable",
            EdgeErrorCodes.MethodNotAllowed => "method_not_allowed",
            EdgeErrorCodes.RequestTimeout => "request_timeout",
            EdgeErrorCodes.RequestTooLarge => "request_too_large",
            EdgeErrorCodes.UriTooLong => "uri_too_long",
            EdgeErrorCodes.UnsupportedMediaType => "unsupported_media_type",
            EdgeErrorCodes.HeadersTooLarge => "headers_too_large",
            _ => "internal_error",
        };

        public IResult Result(SeedgateError error) => Result(error, StatusOf(error.Code));

        public IResult Result(SeedgateError error, int status) =>
            Results.Json(new V1ErrorBody(new V1ErrorDetail(CodeOf(error.Code), error.Message, error.Param)), DialectJson.Options, statusCode: status);

        private static int StatusOf(string code) => code switch
        {
            ErrorCodes.MissingParameter or ErrorCodes.InvalidParameter or ErrorCodes.ModelNotOpen
                or ErrorCodes.InputTextSensitiveContentDetected or ErrorCodes.InputImageSensitiveContentDetected
                or ErrorCodes.OutputVideoSensitiveContentDetected => StatusCodes.Status400BadRequest,
            ErrorCodes.AuthenticationError => StatusCodes.Status401Unauthorized,
            ErrorCodes.AccountOverdueError => StatusCodes.Status403Forbidden,
            ErrorCodes.NotFound => StatusCodes.Status404NotFound,
            ErrorCodes.InvalidAction or ErrorCodes.IdempotencyKeyReused => StatusCodes.Status409Conflict,
            ErrorCodes.RateLimitExceeded or ErrorCodes.QuotaExceeded => StatusCodes.Status429TooManyRequests,
            ErrorCodes.ServiceUnavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        };
    }
}
