using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Server.Hosting;
using Seedgate.Server.Outputs;

namespace Seedgate.Server.Dialects.Variants;

/// <summary>
/// The variant dialect of seed article 004 (SPEC §2.3; Modellix's <c>/api/v1</c>): one route per Seedance 2.0 variant,
/// <c>POST /api/v1/bytedance/seedance-2.0-{i2v|fast-i2v|v2v|fast-v2v}/async</c>, and <c>GET /api/v1/tasks/{task_id}</c>
/// with the statuses pending, processing, success, failed, invalid_input and content_policy. Every answer is
/// Modellix's envelope <c>{"code","message","data"}</c> (code 0 on success, the HTTP status on an error, whose message
/// reads "Category: detail"; ADR 0013). The variant's rules are the catalog's (images for i2v, videos for v2v, 480p or
/// 720p, 4–15 s or −1); <c>generate_audio</c> defaults to true. Jobs are shared with every other dialect.
/// </summary>
internal static class VariantDialect
{
    public const string Root = "/api/v1";
    public const string Provider = "bytedance";
    public const string TasksPath = Root + "/tasks";

    /// <summary>The variants served, by the model id in their route (catalog ids).</summary>
    public static readonly IReadOnlyList<string> Variants = ["seedance-2.0-i2v", "seedance-2.0-fast-i2v", "seedance-2.0-v2v", "seedance-2.0-fast-v2v"];

    private const int MaxItems = 9;

    public static IDialectErrors Errors { get; } = new VariantErrors();

    private static readonly ParamNames Names = new(new Dictionary<string, string> { ["references"] = "images" });

    public static IEndpointRouteBuilder MapVariantDialect(this IEndpointRouteBuilder app)
    {
        var api = app.MapDialectGroup(Root, Errors, "Variant dialect");
        api.MapPost($"/{Provider}/{{model}}/async", CreateAsync)
            .Accepts<VariantCreateBody>("application/json")
            .Produces<VariantEnvelope<VariantCreated>>()
            .WithSummary("Submits a task to a Seedance 2.0 variant: seedance-2.0-i2v, -fast-i2v, -v2v or -fast-v2v.");
        api.MapGet("/tasks/{taskId}", GetAsync)
            .Produces<VariantEnvelope<VariantTask>>()
            .WithSummary("Gets a task; ?wait=N (≤ 60) holds the request until the task is terminal or N seconds pass.");
        return app;
    }

    private static async Task<IResult> CreateAsync(string model, HttpContext context, JobSubmitter submitter, OutputLinks links)
    {
        if (!Variants.Contains(model, StringComparer.Ordinal))
        {
            throw new SeedgateException(new SeedgateError(
                ErrorCodes.NotFound, $"The model {Provider}/{model} is not served here; the variants are {string.Join(", ", Variants)}.", "model"));
        }

        var body = await DialectJson.ReadAsync<VariantCreateBody>(context.Request, context.RequestAborted);
        var job = await submitter.SubmitAsync(
            DialectJson.Submission(context, JobDialects.Variant), ToCanonical(model, body), Names, context.RequestAborted);
        var created = new VariantCreated(job.Id, StatusOf(job), new VariantLink($"{links.BaseUrl(context.Request)}{TasksPath}/{job.Id}"));
        return Ok(created);
    }

    private static async Task<IResult> GetAsync(
        string taskId, int? wait, HttpContext context, JobWaiter waiter, OutputLinks links, IOptions<SeedgateOptions> options)
    {
        var job = await DialectJson.OwnJobAsync(context, waiter, taskId, wait, options.Value.MaxWaitSeconds);
        return job is null
            ? Errors.Result(new SeedgateError(ErrorCodes.NotFound, $"The task {taskId} was not found.", "task_id"))
            : Ok(ToView(job, links.BaseUrl(context.Request), links));
    }

    internal static GenerationRequest ToCanonical(string model, VariantCreateBody body)
    {
        var images = Items(body.Images, "images");
        var references = new List<Reference>();
        for (var i = 0; i < images.Count; i++)
        {
            references.Add(new Reference(ReferenceKind.Image, ImageRole(images[i], images.Count, i), Url(images[i], "images", i), $"images[{i}].url"));
        }

        foreach (var (items, name, kind, role) in new[]
        {
            (body.Videos, "videos", ReferenceKind.Video, ReferenceRole.ReferenceVideo),
            (body.Audios, "audios", ReferenceKind.Audio, ReferenceRole.ReferenceAudio),
        })
        {
            var clips = Items(items, name);
            for (var i = 0; i < clips.Count; i++)
            {
                if (clips[i].Role is not null)
                {
                    throw new SeedgateException(SeedgateError.Invalid($"{name}[{i}].role", $"{name}[{i}].role is not taken: only images have roles."));
                }

                references.Add(new Reference(kind, role, Url(clips[i], name, i), $"{name}[{i}].url"));
            }
        }

        return new GenerationRequest
        {
            Model = model,
            Prompt = body.Prompt,
            References = references,
            Resolution = body.Resolution,
            Ratio = body.Ratio ?? (references.Any(r => r.Kind != ReferenceKind.Audio) ? "adaptive" : "16:9"),
            Duration = body.Duration,
            GenerateAudio = body.GenerateAudio ?? true,
            Seed = body.Seed,
        };
    }

    private static List<VariantMedia> Items(List<VariantMedia?>? items, string name)
    {
        if (items is { Count: > MaxItems })
        {
            throw new SeedgateException(SeedgateError.Invalid(name, $"{name} may hold at most {MaxItems} items (got {items.Count})."));
        }

        var checkedItems = new List<VariantMedia>();
        for (var i = 0; i < (items?.Count ?? 0); i++)
        {
            checkedItems.Add(items![i] ?? throw new SeedgateException(SeedgateError.Invalid($"{name}[{i}]", $"{name}[{i}] must be an object with a url.")));
        }

        return checkedItems;
    }

    private static string Url(VariantMedia item, string name, int index) => string.IsNullOrWhiteSpace(item.Url)
        ? throw new SeedgateException(SeedgateError.Missing($"{name}[{index}].url", $"{name}[{index}].url is required."))
        : item.Url;

    // One image without a role opens the video; several without roles guide it.
    private static ReferenceRole ImageRole(VariantMedia image, int count, int index) => image.Role switch
    {
        null => count == 1 ? ReferenceRole.FirstFrame : ReferenceRole.ReferenceImage,
        "first_frame" => ReferenceRole.FirstFrame,
        "last_frame" => ReferenceRole.LastFrame,
        "reference" => ReferenceRole.ReferenceImage,
        _ => throw new SeedgateException(SeedgateError.Invalid(
            $"images[{index}].role", $"images[{index}].role must be first_frame, last_frame or reference (got '{image.Role}').")),
    };

    /// <summary>
    /// The variant statuses: a failure the caller must fix before trying again (a refused input, the content policy) has
    /// its own; a cancelled or expired task is failed, its error says which.
    /// </summary>
    internal static string StatusOf(Job job) => job.VisibleStatus switch
    {
        JobStatus.Queued => "pending",
        JobStatus.Running => "processing",
        JobStatus.Succeeded => "success",
        JobStatus.Failed when job.Error?.IsContentPolicy == true => "content_policy",
        JobStatus.Failed when job.Error?.IsInvalidInput == true => "invalid_input",
        _ => "failed",
    };

    /// <summary>The task view; links start at <paramref name="site"/> (<see cref="OutputLinks.BaseUrl(HttpRequest)"/>).</summary>
    internal static VariantTask ToView(Job job, string site, OutputLinks links)
    {
        var outputs = job.Status == JobStatus.Succeeded ? job.Outputs : null;
        var error = job.Status switch
        {
            JobStatus.Failed or JobStatus.Expired when job.Error is { } failure => new VariantError(failure.Code, failure.Message, failure.Param),
            JobStatus.Cancelled => new VariantError("Cancelled", "The task was cancelled before it finished."),
            _ => null,
        };
        return new VariantTask(
            job.Id,
            job.RequestedModel,
            StatusOf(job),
            OutputLinks.KeptOutputs(job) is { } files
                ? new VariantResult(
                    links.UrlFor(site, files.VideoKey)!, links.UrlFor(site, files.LastFrameKey), files.DurationSeconds, files.Width, files.Height, files.HasAudio)
                : null,
            error,
            job.FinalCostMicros is { } cost ? new VariantUsage(outputs?.DurationSeconds ?? 0, cost / 1_000_000m) : null,
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
            LongTakeView.Of(job));
    }

    private static IResult Ok<T>(T data) => Results.Json(new VariantEnvelope<T>(0, "success", data), DialectJson.Options);

    private sealed class VariantErrors : IDialectErrors
    {
        public IResult Result(SeedgateError error) => Result(error, StatusOf(error.Code));

        // Modellix's unified error: code = the HTTP status, message = "<Category>: <detail>".
        public IResult Result(SeedgateError error, int status) => Results.Json(
            new VariantErrorBody(status, $"{ReasonPhrases.GetReasonPhrase(status)}: {error.Message}", error.Param), DialectJson.Options, statusCode: status);

        // Ark's statuses, but an exhausted budget is Modellix's 402 (insufficient balance).
        private static int StatusOf(string code) => code == ErrorCodes.AccountOverdueError
            ? StatusCodes.Status402PaymentRequired
            : Ark.ArkDialect.StatusOf(code);
    }
}
