using Microsoft.AspNetCore.Http;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Server.Outputs;

using Seedgate.Core.Upstream;

namespace Seedgate.Server.Dialects.Ark;

/// <summary>Ark wire JSON ⇄ the canonical request and job.</summary>
internal static class ArkMapping
{
    public static (GenerationRequest Request, ParamNames Names) ToCanonical(ArkCreateTaskBody body)
    {
        if (body.Frames is not null)
        {
            throw new SeedgateException(SeedgateError.Invalid("frames", "frames is not supported by Seedance 2.0 models; use duration."));
        }

        var content = body.Content is { Count: > 0 }
            ? body.Content
            : throw new SeedgateException(SeedgateError.Missing("content", "content is required: a text prompt, images, videos or audio."));

        string? prompt = null;
        string? draftTaskId = null;
        var promptParam = "content";
        var draftParam = "draft_task";
        var references = new List<Reference>();
        var imageCount = content.Count(c => c?.Type == "image_url");
        for (var i = 0; i < content.Count; i++)
        {
            var item = content[i] ?? throw new SeedgateException(SeedgateError.Invalid($"content[{i}]", $"content[{i}] must be an object."));
            switch (item.Type)
            {
                case "text":
                    if (prompt is not null)
                    {
                        throw new SeedgateException(SeedgateError.Invalid($"content[{i}]", "Only one text item is allowed."));
                    }

                    prompt = item.Text ?? throw new SeedgateException(SeedgateError.Missing($"content[{i}].text", $"content[{i}].text is required."));
                    promptParam = $"content[{i}].text";
                    break;
                case "image_url":
                    references.Add(new Reference(ReferenceKind.Image, ImageRole(item.Role, imageCount, i), Url(item.ImageUrl, i, "image_url"), $"content[{i}].image_url.url"));
                    break;
                case "video_url":
                    references.Add(new Reference(ReferenceKind.Video, ClipRole(item.Role, "reference_video", ReferenceRole.ReferenceVideo, i), Url(item.VideoUrl, i, "video_url"), $"content[{i}].video_url.url"));
                    break;
                case "audio_url":
                    references.Add(new Reference(ReferenceKind.Audio, ClipRole(item.Role, "reference_audio", ReferenceRole.ReferenceAudio, i), Url(item.AudioUrl, i, "audio_url"), $"content[{i}].audio_url.url"));
                    break;
                case "draft_task":
                    if (draftTaskId is not null)
                    {
                        throw new SeedgateException(SeedgateError.Invalid($"content[{i}]", "Only one draft_task item is allowed."));
                    }

                    draftParam = $"content[{i}].draft_task.id";
                    draftTaskId = string.IsNullOrWhiteSpace(item.DraftTask?.Id)
                        ? throw new SeedgateException(SeedgateError.Missing(draftParam, $"{draftParam} is required: the id of the task to promote."))
                        : item.DraftTask.Id;
                    break;
                case null:
                    throw new SeedgateException(SeedgateError.Missing($"content[{i}].type", $"content[{i}].type is required."));
                default:
                    throw new SeedgateException(SeedgateError.Invalid(
                        $"content[{i}].type", $"content[{i}].type must be text, image_url, video_url, audio_url or draft_task (got '{item.Type}')."));
            }
        }

        var request = new GenerationRequest
        {
            Model = body.Model ?? "",
            Prompt = prompt,
            NegativePrompt = body.NegativePrompt,
            References = references,
            Resolution = body.Resolution,
            // Ark's default: the input image's shape when there is one, else 16:9; a promoted draft's shape when one is named.
            Ratio = body.Ratio ?? (draftTaskId is not null ? null : references.Any(r => r.Kind != ReferenceKind.Audio) ? "adaptive" : "16:9"),
            Duration = body.Duration,
            FramesPerSecond = body.Framespersecond,
            GenerateAudio = body.GenerateAudio ?? true,
            Seed = body.Seed,
            Style = Parse<Style>(body.Style, "style", WireNames.Styles, WireNames.TryParse),
            CameraMotion = Parse<CameraMotion>(body.CameraMotion, "camera_motion", WireNames.CameraMotions, WireNames.TryParse),
            CameraFixed = body.CameraFixed ?? false,
            Watermark = body.Watermark ?? false,
            ReturnLastFrame = body.ReturnLastFrame ?? false,
            CallbackUrl = body.CallbackUrl,
            Priority = body.Priority ?? 0,
            ExecutionExpiresAfter = body.ExecutionExpiresAfter,
            ServiceTier = body.ServiceTier,
            SafetyIdentifier = body.SafetyIdentifier,
            OutputFormat = body.OutputFormat,
            Tools = Tools(body.Tools),
            Draft = body.Draft ?? false,
            FallbackModel = body.FallbackModel,
            LongTake = body.LongTake ?? false,
            DraftTaskId = draftTaskId,
        };
        var names = new ParamNames(new Dictionary<string, string> { ["prompt"] = promptParam, ["references"] = "content", ["draft_task"] = draftParam });
        return (request, names);
    }

    /// <summary>
    /// The task view; <paramref name="place"/> (a queued upstream job's place and estimated start) and the tier fallback
    /// (<c>fallback_model</c>, <c>served_model</c>) are Seedgate's extensions.
    /// </summary>
    public static ArkTask ToTask(Job job, HttpRequest http, OutputLinks links, QueuePlace? place = null)
    {
        var request = job.Request;
        var outputs = job.Status == JobStatus.Succeeded ? job.Outputs : null;
        var files = OutputLinks.KeptOutputs(job);
        return new ArkTask(
            job.Id,
            job.RequestedModel,
            JobStatusRules.Name(job.VisibleStatus),
            files is null ? null : new ArkTaskContent(links.UrlFor(http, files.VideoKey)!, links.UrlFor(http, files.LastFrameKey)),
            outputs is null ? null : new ArkUsage(outputs.Tokens, outputs.Tokens),
            job.Status is JobStatus.Failed or JobStatus.Expired && job.Error is { } error ? new ArkTaskError(error.Code, error.Message) : null,
            request.Seed,
            request.Resolution,
            outputs?.Ratio ?? request.Ratio,
            outputs is null ? request.Duration : (int)Math.Round(outputs.DurationSeconds),
            request.FramesPerSecond!.Value,
            request.GenerateAudio,
            request.Watermark,
            request.ServiceTier,
            request.ExecutionExpiresAfter,
            request.Priority,
            request.Draft,
            request.DraftTaskId,
            request.SafetyIdentifier,
            [.. request.Tools.Select(t => new ArkTool { Type = WireNames.Of(t) })],
            request.OutputFormat,
            DialectJson.UnixSeconds(job.CreatedAt),
            DialectJson.UnixSeconds(job.UpdatedAt),
            ArkCost.Of(job.FinalCostMicros, job.Status == JobStatus.Succeeded ? job.CostMicros : null, job.FinalCostMicros is null ? null : job.CoveredByFreeQuota),
            ArkCost.Of(job.ReservedMicros),
            job.CorrelationId,
            job.RetryAt is { } retryAt ? DialectJson.UnixSeconds(retryAt) : null,
            links.FilesExpireAt(job),
            place?.Position,
            place is null ? null : DialectJson.UnixSeconds(place.EstimatedStart),
            request.FallbackModel,
            // With a fallback named, which of the two serves the job (its price is the one charged).
            request.FallbackModel is null ? null : request.Model,
            LongTakeView.Of(job));
    }

    private static List<GenerationTool> Tools(List<ArkTool?>? tools)
    {
        var parsed = new List<GenerationTool>();
        for (var i = 0; i < (tools?.Count ?? 0); i++)
        {
            var tool = tools![i] ?? throw new SeedgateException(SeedgateError.Invalid($"tools[{i}]", $"tools[{i}] must be an object, e.g. {{\"type\":\"web_search\"}}."));
            parsed.Add(tool.Type is null
                ? throw new SeedgateException(SeedgateError.Missing($"tools[{i}].type", $"tools[{i}].type is required ({string.Join(", ", WireNames.Tools)})."))
                : Parse<GenerationTool>(tool.Type, $"tools[{i}].type", WireNames.Tools, WireNames.TryParse)!.Value);
        }

        return parsed;
    }

    private static string Url(ArkUrl? url, int index, string field) =>
        string.IsNullOrWhiteSpace(url?.Url)
            ? throw new SeedgateException(SeedgateError.Missing($"content[{index}].{field}.url", $"content[{index}].{field}.url is required."))
            : url.Url;

    private static ReferenceRole ImageRole(string? role, int imageCount, int index) => role switch
    {
        null when imageCount == 1 => ReferenceRole.FirstFrame,
        null => throw new SeedgateException(SeedgateError.Missing(
            $"content[{index}].role", "With several images each needs a role: first_frame, last_frame or reference_image.")),
        "first_frame" => ReferenceRole.FirstFrame,
        "last_frame" => ReferenceRole.LastFrame,
        "reference_image" => ReferenceRole.ReferenceImage,
        _ => throw new SeedgateException(SeedgateError.Invalid(
            $"content[{index}].role", $"content[{index}].role must be first_frame, last_frame or reference_image (got '{role}').")),
    };

    private static ReferenceRole ClipRole(string? role, string expected, ReferenceRole canonical, int index) =>
        role is null || role == expected
            ? canonical
            : throw new SeedgateException(SeedgateError.Invalid($"content[{index}].role", $"content[{index}].role must be {expected} (got '{role}')."));

    internal delegate bool TryParser<T>(string? text, out T value);

    internal static T? Parse<T>(string? text, string param, IEnumerable<string> allowed, TryParser<T> parse)
        where T : struct
    {
        if (text is null)
        {
            return null;
        }

        return parse(text, out var value)
            ? value
            : throw new SeedgateException(SeedgateError.Invalid(param, $"{param} must be one of {string.Join(", ", allowed)} (got '{text}')."));
    }
}
