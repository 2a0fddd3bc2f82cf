using System.Globalization;
using System.Text.Json;

namespace Seedgate.Server.Simulator;

/// <summary>An error answer of the simulated Ark API: <c>{"error":{code,message,param,type}}</c> with this status.</summary>
internal sealed class ArkApiException(int status, string code, string message, string? param = null) : Exception(message)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string? Param { get; } = param;

    public static ArkApiException Invalid(string param, string message) => new(StatusCodes.Status400BadRequest, "InvalidParameter", message, param);

    public static ArkApiException Missing(string param, string message) => new(StatusCodes.Status400BadRequest, "MissingParameter", message, param);
}

/// <summary>An image sent inline (a data URL) that the render may use as a plate.</summary>
internal sealed record InlineImage(byte[] Bytes, string Extension);

/// <summary>A create request after validation: every value concrete (defaults applied, resolution lower-cased).</summary>
internal sealed record TaskSpec
{
    public required SimulatedModel Model { get; init; }

    /// <summary>The text items joined by newlines; empty without any.</summary>
    public required string Prompt { get; init; }

    public required string Resolution { get; init; }
    public required string Ratio { get; init; }
    public required int Duration { get; init; }

    /// <summary>The seed asked for, or null for a random one (absent or −1).</summary>
    public required long? Seed { get; init; }

    public required bool GenerateAudio { get; init; }
    public required bool ReturnLastFrame { get; init; }
    public required bool Watermark { get; init; }
    public required string? CallbackUrl { get; init; }
    public required int ExecutionExpiresAfter { get; init; }
    public required int Priority { get; init; }
    public required string ServiceTier { get; init; }

    /// <summary>Inline first-frame or reference images (the render's plates, in order) and last frame.</summary>
    public RenderInputs Inputs { get; init; } = new([], null);
}

/// <summary>
/// Reads and checks a create body the way real Ark does (reference §1.3 and §1.8): a wrongly typed or inapplicable field
/// is a 400 naming it, an unknown model a 404 ModelNotOpen. Reference media must be well-formed URLs (data, http(s) or
/// asset); their content is not fetched.
/// </summary>
internal static class SimulatedRequest
{
    public const int DefaultDuration = 5;
    public const int DefaultExecutionExpiresAfter = 172800;
    private const int MaxImages = 9;
    private const int MaxClips = 3;
    private const int MaxSafetyIdentifier = 64;

    private static readonly string[] Ratios = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"];

    public static TaskSpec Parse(JsonElement body, int minExpiresAfter)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ArkApiException.Invalid("body", "The request body must be a JSON object.");
        }

        var modelName = String(body, "model") is { Length: > 0 } name
            ? name
            : throw ArkApiException.Missing("model", "The parameter model is required.");
        var model = SimulatedModels.Find(modelName) ?? throw new ArkApiException(
            StatusCodes.Status404NotFound, "ModelNotOpen", $"The model or endpoint {modelName} does not exist or you do not have access to it.", "model");

        var content = Content(body, model);
        CheckModelFields(body, model);

        var draft = Bool(body, "draft") ?? false;
        var resolution = (String(body, "resolution")?.ToLowerInvariant() ?? "720p") switch
        {
            _ when draft => "480p", // a draft is a 480p preview whatever was asked
            var r when model.Resolutions.Contains(r) => r,
            var r => throw ArkApiException.Invalid(
                "resolution", $"The parameter resolution specified in the request is not valid for model {model.Id}: {r} (allowed: {string.Join(", ", model.Resolutions)})."),
        };
        var ratio = String(body, "ratio") switch
        {
            null => content.HasFirstFrame ? "adaptive" : "16:9",
            var r when Ratios.Contains(r) => r,
            var r => throw ArkApiException.Invalid("ratio", $"The parameter ratio specified in the request is not valid: {r} (allowed: {string.Join(", ", Ratios)})."),
        };

        var duration = Int(body, "duration") switch
        {
            null or -1 => DefaultDuration, // -1: the model picks; the simulator always picks 5 s
            var d when d >= SimulatedModel.MinDuration && d <= model.MaxDuration => (int)d,
            var d => throw ArkApiException.Invalid(
                "duration", $"The parameter duration specified in the request is not valid for model {model.Id}: {d} (allowed: {SimulatedModel.MinDuration}–{model.MaxDuration} or -1)."),
        };

        var seed = Int(body, "seed") switch
        {
            null or -1 => (long?)null,
            var s when s is >= 0 and <= uint.MaxValue => s,
            var s => throw ArkApiException.Invalid("seed", $"The parameter seed must be -1 to 4294967295 (got {s})."),
        };

        var expiresAfter = Int(body, "execution_expires_after") switch
        {
            null => DefaultExecutionExpiresAfter,
            var e when e >= minExpiresAfter && e <= SimulatorOptions.MaxExecutionExpiresAfterSeconds => (int)e,
            var e => throw ArkApiException.Invalid(
                "execution_expires_after",
                $"The parameter execution_expires_after must be {minExpiresAfter}–{SimulatorOptions.MaxExecutionExpiresAfterSeconds} seconds (got {e})."),
        };

        var callback = String(body, "callback_url") switch
        {
            null => null,
            var u when Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" => u,
            _ => throw ArkApiException.Invalid("callback_url", "The parameter callback_url must be an absolute http(s) URL."),
        };

        if (String(body, "safety_identifier") is { Length: > MaxSafetyIdentifier })
        {
            throw ArkApiException.Invalid("safety_identifier", $"The parameter safety_identifier may hold at most {MaxSafetyIdentifier} characters.");
        }

        return new TaskSpec
        {
            Model = model,
            Prompt = content.Prompt,
            Resolution = resolution,
            Ratio = ratio,
            Duration = duration,
            Seed = seed,
            GenerateAudio = Bool(body, "generate_audio") ?? true,
            ReturnLastFrame = Bool(body, "return_last_frame") ?? false,
            Watermark = Bool(body, "watermark") ?? false,
            CallbackUrl = callback,
            ExecutionExpiresAfter = expiresAfter,
            Priority = (int)(Int(body, "priority") ?? 0),
            ServiceTier = String(body, "service_tier") ?? "default",
            Inputs = new RenderInputs(content.Plates, content.LastFrame),
        };
    }

    /// <summary>The fields whose very presence (or value) depends on the model: an inapplicable one is a 400, not a no-op.</summary>
    private static void CheckModelFields(JsonElement body, SimulatedModel model)
    {
        if (Field(body, "frames") is not null)
        {
            throw ArkApiException.Invalid("frames", $"The parameter frames is not supported by model {model.Id}; use duration.");
        }

        var cameraFixed = Bool(body, "camera_fixed");
        var tier = String(body, "service_tier");
        var priority = Int(body, "priority");
        var draft = Bool(body, "draft");
        if (model.IsSeedance2)
        {
            if (tier is not null)
            {
                throw ArkApiException.Invalid("service_tier", $"The parameter service_tier is not supported by model {model.Id}.");
            }

            if (cameraFixed is not null)
            {
                throw ArkApiException.Invalid("camera_fixed", $"The parameter camera_fixed is not supported by model {model.Id}.");
            }

            if (priority is not null and not (>= 0 and <= 9))
            {
                throw ArkApiException.Invalid("priority", $"The parameter priority must be 0–9 (got {priority}).");
            }

            if (draft == true)
            {
                throw ArkApiException.Invalid("draft", $"The parameter draft is not supported by model {model.Id}.");
            }
        }
        else
        {
            if (tier is not null and not ("default" or "flex"))
            {
                throw ArkApiException.Invalid("service_tier", $"The parameter service_tier must be default or flex (got {tier}).");
            }

            if (priority is not null)
            {
                throw ArkApiException.Invalid("priority", $"The parameter priority is not supported by model {model.Id}.");
            }

            if (Field(body, "tools") is not null)
            {
                throw ArkApiException.Invalid("tools", $"The parameter tools is not supported by model {model.Id}.");
            }
        }

        if (Field(body, "tools") is { } tools)
        {
            var ok = tools.ValueKind == JsonValueKind.Array && tools.EnumerateArray().All(t =>
                t.ValueKind == JsonValueKind.Object && t.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && type.GetString() == "web_search");
            if (!ok)
            {
                throw ArkApiException.Invalid("tools", "The parameter tools must be a list of {\"type\":\"web_search\"}.");
            }
        }

        var formats = model.Family == ModelFamily.Seedance25 ? new[] { "mp4", "mov" } : ["mp4"];
        if (String(body, "output_format") is { } format && !formats.Contains(format))
        {
            throw ArkApiException.Invalid("output_format", $"The parameter output_format must be {string.Join(" or ", formats)} for model {model.Id} (got {format}).");
        }

        _ = Bool(body, "watermark");
        _ = Bool(body, "generate_audio");
        _ = Bool(body, "return_last_frame");
    }

    private sealed record ParsedContent(string Prompt, bool HasFirstFrame, IReadOnlyList<InlineImage> Plates, InlineImage? LastFrame);

    private static ParsedContent Content(JsonElement body, SimulatedModel model)
    {
        var content = Field(body, "content") ?? throw ArkApiException.Missing("content", "The parameter content is required.");
        if (content.ValueKind != JsonValueKind.Array)
        {
            throw ArkApiException.Invalid("content", "The parameter content must be a list of items.");
        }

        if (content.GetArrayLength() == 0)
        {
            throw ArkApiException.Missing("content", "The parameter content must hold at least one item.");
        }

        var texts = new List<string>();
        var plates = new List<InlineImage>();
        InlineImage? lastFrame = null;
        int images = 0, firstFrames = 0, lastFrames = 0, referenceImages = 0, videos = 0, audios = 0, drafts = 0;
        var imageItems = content.EnumerateArray().Count(i => i.ValueKind == JsonValueKind.Object && String(i, "type") == "image_url");
        var index = 0;
        foreach (var item in content.EnumerateArray())
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"content[{index}]");
            index++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw ArkApiException.Invalid(at, $"{at} must be an object.");
            }

            var type = String(item, "type", $"{at}.type") ?? throw ArkApiException.Missing($"{at}.type", $"{at}.type is required.");
            var role = String(item, "role", $"{at}.role");
            switch (type)
            {
                case "text":
                    texts.Add(String(item, "text", $"{at}.text") is { Length: > 0 } text
                        ? text
                        : throw ArkApiException.Missing($"{at}.text", $"{at}.text is required."));
                    break;
                case "image_url":
                    images++;
                    var image = MediaUrl(item, "image_url", "image", at);
                    switch (role)
                    {
                        case null when imageItems == 1:
                        case "first_frame":
                            firstFrames++;
                            if (image is not null)
                            {
                                plates.Insert(0, image);
                            }

                            break;
                        case "last_frame":
                            lastFrames++;
                            lastFrame = image;
                            break;
                        case "reference_image":
                            referenceImages++;
                            if (image is not null)
                            {
                                plates.Add(image);
                            }

                            break;
                        case null:
                            throw ArkApiException.Missing($"{at}.role", "With several images each needs a role: first_frame, last_frame or reference_image.");
                        default:
                            throw ArkApiException.Invalid($"{at}.role", $"{at}.role must be first_frame, last_frame or reference_image (got '{role}').");
                    }

                    break;
                case "video_url":
                    videos++;
                    RequireSeedance2(model, at, "video_url");
                    ClipRole(role, "reference_video", at);
                    _ = MediaUrl(item, "video_url", "video", at);
                    break;
                case "audio_url":
                    audios++;
                    RequireSeedance2(model, at, "audio_url");
                    ClipRole(role, "reference_audio", at);
                    _ = MediaUrl(item, "audio_url", "audio", at);
                    break;
                case "draft_task":
                    drafts++;
                    if (model.IsSeedance2)
                    {
                        throw ArkApiException.Invalid($"{at}.type", $"draft_task is not supported by model {model.Id}.");
                    }

                    if (Field(item, "draft_task") is not { ValueKind: JsonValueKind.Object } draft || String(draft, "id", $"{at}.draft_task.id") is not { Length: > 0 })
                    {
                        throw ArkApiException.Missing($"{at}.draft_task.id", $"{at}.draft_task.id is required.");
                    }

                    break;
                default:
                    throw ArkApiException.Invalid($"{at}.type", $"{at}.type must be text, image_url, video_url, audio_url or draft_task (got '{type}').");
            }
        }

        if (firstFrames > 1 || lastFrames > 1)
        {
            throw ArkApiException.Invalid("content", "At most one first_frame and one last_frame image are allowed.");
        }

        if (lastFrames == 1 && firstFrames == 0)
        {
            throw ArkApiException.Invalid("content", "A last_frame image needs a first_frame image.");
        }

        if (firstFrames + lastFrames > 0 && referenceImages + videos + audios > 0)
        {
            throw ArkApiException.Invalid("content", "First/last frame images cannot be mixed with reference images, videos or audio.");
        }

        if (referenceImages > MaxImages || videos > MaxClips || audios > MaxClips)
        {
            throw ArkApiException.Invalid("content", $"At most {MaxImages} reference images, {MaxClips} videos and {MaxClips} audio clips are allowed.");
        }

        if (model.IsSeedance20 && audios > 0 && images + videos == 0)
        {
            throw ArkApiException.Invalid("content", "reference_audio cannot be the only reference input.");
        }

        if (texts.Count + images + videos + audios + drafts == 0)
        {
            throw ArkApiException.Missing("content", "The parameter content must hold a text prompt or a reference.");
        }

        return new ParsedContent(string.Join('\n', texts), firstFrames > 0, plates, lastFrame);
    }

    private static void RequireSeedance2(SimulatedModel model, string at, string type)
    {
        if (!model.IsSeedance2)
        {
            throw ArkApiException.Invalid($"{at}.type", $"{type} is not supported by model {model.Id}.");
        }
    }

    private static void ClipRole(string? role, string expected, string at)
    {
        if (role is not null && role != expected)
        {
            throw ArkApiException.Invalid($"{at}.role", $"{at}.role must be {expected} (got '{role}').");
        }
    }

    /// <summary>
    /// Checks <c>{field}: {url}</c>: an http(s) or asset URL, or a base64 data URL of the right kind. Returns the image of an
    /// image data URL (a plate for the render), else null.
    /// </summary>
    private static InlineImage? MediaUrl(JsonElement item, string field, string kind, string at)
    {
        var param = $"{at}.{field}.url";
        var url = Field(item, field) is { ValueKind: JsonValueKind.Object } holder ? String(holder, "url", param) : null;
        if (string.IsNullOrEmpty(url))
        {
            throw ArkApiException.Missing(param, $"{param} is required.");
        }

        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            var header = comma > 5 ? url[5..comma] : "";
            const string Base64 = ";base64";
            var mediaType = header.EndsWith(Base64, StringComparison.OrdinalIgnoreCase) ? header[..^Base64.Length] : null;
            var slash = mediaType?.IndexOf('/', StringComparison.Ordinal) ?? -1;
            if (mediaType is null || slash <= 0 || !mediaType[..slash].Equals(kind, StringComparison.OrdinalIgnoreCase))
            {
                throw ArkApiException.Invalid(param, $"{param} must be a data URL of the form data:{kind}/<format>;base64,<data>.");
            }

            var bytes = new byte[(url.Length - comma) * 3 / 4 + 3];
            if (!Convert.TryFromBase64Chars(url.AsSpan(comma + 1), bytes, out var written) || written == 0)
            {
                throw ArkApiException.Invalid(param, $"{param} holds invalid base64 data.");
            }

            return kind == "image" ? new InlineImage(bytes[..written], mediaType[(slash + 1)..].ToLowerInvariant()) : null;
        }

        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "asset"
            ? null
            : throw ArkApiException.Invalid(param, $"{param} must be an http(s) URL, an asset:// id or a base64 data URL.");
    }

    /// <summary>A field's value, or null when it is absent or JSON null (as SDKs that omit unset fields send).</summary>
    private static JsonElement? Field(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string? String(JsonElement parent, string name, string? param = null) => Field(parent, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw ArkApiException.Invalid(param ?? name, $"The parameter {param ?? name} must be a string."),
    };

    private static bool? Bool(JsonElement parent, string name) => Field(parent, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw ArkApiException.Invalid(name, $"The parameter {name} must be a boolean."),
    };

    private static long? Int(JsonElement parent, string name) => Field(parent, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt64(out var number) => number,
        _ => throw ArkApiException.Invalid(name, $"The parameter {name} must be an integer."),
    };
}
