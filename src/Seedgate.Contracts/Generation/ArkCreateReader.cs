using System.Text.Json;
using System.Text.Json.Serialization;

namespace Seedgate.Core.Generation;

// The Ark (BytePlus ModelArk / Volcano Engine) create body, as the official SDKs send it, and how it becomes the
// canonical request: the server's Ark dialect reads every create with this, and the SDK's preflight checks its
// requests with the same code before sending them.

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

/// <summary>Reading Ark's create body into the canonical request, with errors that name the field.</summary>
internal static class ArkCreateReader
{
    /// <summary>
    /// The wire's JSON settings: snake_case, and strict like Ark ("5" is not a number, where the Web defaults would
    /// quietly accept it). The server writes its answers with them too.
    /// </summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.Strict,

        // API responses are never inlined into HTML, so '&' in signed URLs can stay readable (not \u0026).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A body already parsed as JSON as <typeparamref name="T"/>; a wrongly typed field is an InvalidParameter naming it.</summary>
    public static T Deserialize<T>(JsonElement root)
        where T : class
    {
        try
        {
            return root.ValueKind == JsonValueKind.Object
                ? root.Deserialize<T>(Json)!
                : throw new SeedgateException(SeedgateError.Invalid("body", "The request body must be a JSON object."));
        }
        catch (JsonException ex)
        {
            var param = ex.Path is null or "$" ? "body" : ex.Path.TrimStart('$', '.');
            throw new SeedgateException(SeedgateError.Invalid(param, $"{param} has a value of the wrong type or form."), ex);
        }
    }

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
