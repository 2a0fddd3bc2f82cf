using System.Globalization;
using Seedgate.Core.Catalog;

namespace Seedgate.Core.Generation;

/// <summary>A request that passed validation, with every default filled in.</summary>
/// <param name="Request">The normalized request; <c>Model</c> is the catalog id, the seed is concrete.</param>
/// <param name="Model">The catalog entry that serves it.</param>
/// <param name="Mode">The input mode its references form.</param>
public sealed record ValidatedRequest(GenerationRequest Request, ModelSpec Model, InputMode Mode);

/// <summary>
/// Checks a canonical request against the catalog and the mode rules, locally, before anything touches the
/// network. The first problem found is returned as a typed error naming the field in the caller's dialect.
/// </summary>
public sealed class RequestValidator(ModelCatalog catalog)
{
    // Texts are limited in characters (grapheme clusters, what a person counts) and in UTF-16 code units, because one
    // cluster may carry any number of combining marks: "a" and nine million accents count as one character.
    public const int MaxPromptLength = 2000;
    public const int MaxPromptCodeUnits = 8000;
    public const int MaxNegativePromptLength = 500;
    public const int MaxNegativePromptCodeUnits = 2000;
    public const int DefaultExpiresAfterSeconds = 172_800;
    public const int MinExpiresAfterSeconds = 3_600;
    public const int MaxExpiresAfterSeconds = 259_200;
    public const int FramesPerSecond = 24;
    public const long MaxSeed = uint.MaxValue;
    public const int MaxSafetyIdentifierLength = 64;
    public const int MaxSafetyIdentifierCodeUnits = 256;

    private static readonly string[] Ratios = [.. ModelCatalog.Ratios, "adaptive"];

    /// <param name="request">The canonical request a dialect built.</param>
    /// <param name="names">Maps canonical field names (prompt, ratio, generate_audio, …) to the dialect's wire names.</param>
    public SeedgateError? Validate(GenerationRequest request, ParamNames names, out ValidatedRequest? validated)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(names);
        validated = null;

        if (string.IsNullOrWhiteSpace(request.Model))
        {
            return SeedgateError.Missing(names["model"], "model is required.");
        }

        var model = catalog.Find(request.Model);
        if (model is null)
        {
            return new SeedgateError(
                ErrorCodes.ModelNotOpen,
                $"The model '{request.Model}' does not exist or is not available. Available: {string.Join(", ", catalog.Models.Select(m => m.Id))}.",
                names["model"]);
        }

        var prompt = string.IsNullOrWhiteSpace(request.Prompt) ? null : request.Prompt;
        var promptProblem = CheckText(prompt, names["prompt"], MaxPromptLength, MaxPromptCodeUnits);
        if (promptProblem is not null)
        {
            return promptProblem;
        }

        var negative = string.IsNullOrWhiteSpace(request.NegativePrompt) ? null : request.NegativePrompt;
        var negativeProblem = CheckText(negative, names["negative_prompt"], MaxNegativePromptLength, MaxNegativePromptCodeUnits);
        if (negativeProblem is not null)
        {
            return negativeProblem;
        }

        var referenceProblem = CheckReferences(request, model, prompt, names, out var mode);
        if (referenceProblem is not null)
        {
            return referenceProblem;
        }

        // Ark matches resolutions in any case (1080P, 4K); the catalog and the stored job say them in lower case.
        var resolution = request.Resolution?.ToLowerInvariant() ?? model.DefaultResolution;
        if (!model.Resolutions.Contains(resolution, StringComparer.Ordinal))
        {
            return SeedgateError.Invalid(
                names["resolution"],
                $"{names["resolution"]} '{resolution}' is not offered by {model.Id}; choose one of {string.Join(", ", model.Resolutions)}.");
        }

        var ratio = request.Ratio ?? "16:9";
        if (!Ratios.Contains(ratio, StringComparer.Ordinal))
        {
            return SeedgateError.Invalid(names["ratio"], $"{names["ratio"]} '{ratio}' is not valid; choose one of {string.Join(", ", Ratios)}.");
        }

        var duration = request.Duration ?? model.Duration.Default;
        if (CheckDuration(request, model, duration, names) is { } durationProblem)
        {
            return durationProblem;
        }

        if (request.FramesPerSecond is { } fps && fps != FramesPerSecond)
        {
            return SeedgateError.Invalid(names["framespersecond"], $"{names["framespersecond"]} must be {FramesPerSecond} (got {fps}).");
        }

        var audio = request.GenerateAudio ?? model.Audio;
        if (audio && !model.Audio)
        {
            return SeedgateError.Invalid(names["generate_audio"], $"{model.Id} does not generate audio; set {names["generate_audio"]} to false.");
        }

        if (request.Seed is { } seed && (seed < -1 || seed > MaxSeed))
        {
            return SeedgateError.Invalid(names["seed"], $"{names["seed"]} must be between -1 and {MaxSeed} (got {seed}).");
        }

        if (request.CameraFixed && request.CameraMotion is not null)
        {
            return SeedgateError.Invalid(names["camera_fixed"], $"{names["camera_fixed"]} contradicts {names["camera_motion"]}; set only one.");
        }

        if (request.CallbackUrl is { } callback && !IsHttpUrl(callback))
        {
            return SeedgateError.Invalid(names["callback_url"], $"{names["callback_url"]} must be an absolute http(s) URL.");
        }

        if (request.Priority is < 0 or > 9)
        {
            return SeedgateError.Invalid(names["priority"], $"{names["priority"]} must be 0–9 (got {request.Priority}).");
        }

        var expiresAfter = request.ExecutionExpiresAfter ?? DefaultExpiresAfterSeconds;
        if (expiresAfter is < MinExpiresAfterSeconds or > MaxExpiresAfterSeconds)
        {
            return SeedgateError.Invalid(
                names["execution_expires_after"],
                $"{names["execution_expires_after"]} must be {MinExpiresAfterSeconds}–{MaxExpiresAfterSeconds} seconds (got {expiresAfter}).");
        }

        if (request.ServiceTier is { } tier && !string.Equals(tier, "default", StringComparison.Ordinal))
        {
            return SeedgateError.Invalid(
                names["service_tier"],
                string.Equals(tier, "flex", StringComparison.Ordinal)
                    ? $"{model.Id} accepts only {names["service_tier"]} 'default'."
                    : $"{names["service_tier"]} '{tier}' is not valid; use 'default'.");
        }

        var fieldProblem = CheckNewerFields(request, model, names, out var outputFormat, out var safetyIdentifier);
        if (fieldProblem is not null)
        {
            return fieldProblem;
        }

        var normalized = request with
        {
            Model = model.Id,
            Prompt = prompt,
            NegativePrompt = negative,
            Resolution = resolution,
            Ratio = ratio,
            // Every value concrete from here on: engines and views never default again.
            Duration = duration == -1 ? model.Duration.AutoSeconds : duration,
            AutoDuration = duration == -1,
            LongTake = duration > model.Duration.Max, // a long take the model makes in one clip is that clip
            FramesPerSecond = FramesPerSecond,
            GenerateAudio = audio,
            Seed = request.Seed is null or -1 ? Random.Shared.Next(int.MaxValue) /* a seed, not a secret */ : request.Seed,
            ExecutionExpiresAfter = expiresAfter,
            ServiceTier = "default",
            SafetyIdentifier = safetyIdentifier,
            OutputFormat = outputFormat,
        };
        var fallbackProblem = CheckFallback(normalized, model, names, out var fallbackModel);
        if (fallbackProblem is not null)
        {
            return fallbackProblem;
        }

        validated = new ValidatedRequest(normalized with { FallbackModel = fallbackModel }, model, mode);
        return null;
    }

    /// <summary>
    /// The model's range, or with <c>long_take</c> (on a model that can continue a video) up to
    /// <see cref="LongTakeRules.MaxSeconds"/>; a duration past the model's longest clip without it says how to ask.
    /// </summary>
    private static SeedgateError? CheckDuration(GenerationRequest request, ModelSpec model, int duration, ParamNames names)
    {
        var param = names["duration"];
        var range = model.Duration;
        if (request.LongTake)
        {
            if (!LongTakeRules.CanContinue(model))
            {
                return SeedgateError.Invalid(
                    names["long_take"], $"{model.Id} cannot continue a video, so it makes no long takes; use a model that takes reference videos.");
            }

            return duration < range.Min || duration > LongTakeRules.MaxSeconds
                ? SeedgateError.Invalid(param, $"{param} must be {range.Min}–{LongTakeRules.MaxSeconds} seconds for a long take (got {duration}).")
                : null;
        }

        if ((duration == -1 && range.AllowAuto) || (duration >= range.Min && duration <= range.Max))
        {
            return null;
        }

        var auto = range.AllowAuto ? " or -1 (the model chooses)" : "";
        var howToAskLonger = duration > range.Max && LongTakeRules.CanContinue(model)
            ? $"; for up to {LongTakeRules.MaxSeconds} s in one job, set {names["long_take"]} to true (a long take of chained segments)"
            : "";
        return SeedgateError.Invalid(param, $"{param} must be {range.Min}–{range.Max} seconds{auto} (got {duration}){howToAskLonger}.");
    }

    /// <summary>
    /// A fallback model must be another catalog model that accepts the whole request as normalized for the first (its
    /// resolution, duration, audio, references and fields): the job may move to it at any retry, and nothing may be
    /// refused then.
    /// </summary>
    private SeedgateError? CheckFallback(GenerationRequest normalized, ModelSpec model, ParamNames names, out string? fallbackId)
    {
        fallbackId = null;
        if (normalized.FallbackModel is not { } name)
        {
            return null;
        }

        var param = names["fallback_model"];
        if (catalog.Find(name) is not { } fallback)
        {
            return SeedgateError.Invalid(
                param, $"{param} '{name}' does not exist or is not available. Available: {string.Join(", ", catalog.Models.Select(m => m.Id))}.");
        }

        if (fallback.Id == model.Id)
        {
            return SeedgateError.Invalid(param, $"{param} must name another model than {names["model"]} (both are {model.Id}).");
        }

        var onFallback = normalized with { Model = fallback.Id, FallbackModel = null, Duration = normalized.AutoDuration ? -1 : normalized.Duration };
        if (Validate(onFallback, names, out _) is { } refused)
        {
            return SeedgateError.Invalid(param, $"{param} {fallback.Id} cannot serve this request: {refused.Message}");
        }

        fallbackId = fallback.Id;
        return null;
    }

    /// <summary>The fields newer than the seeds (reference §1.8): output_format, tools, draft, safety_identifier, by the model's field rules.</summary>
    private static SeedgateError? CheckNewerFields(
        GenerationRequest request, ModelSpec model, ParamNames names, out string outputFormat, out string? safetyIdentifier)
    {
        var rules = model.FieldRules;
        outputFormat = request.OutputFormat?.ToLowerInvariant() ?? rules.OutputFormats[0];
        safetyIdentifier = string.IsNullOrEmpty(request.SafetyIdentifier) ? null : request.SafetyIdentifier;
        if (!rules.OutputFormats.Contains(outputFormat, StringComparer.Ordinal))
        {
            var offered = string.Join(", ", rules.OutputFormats);
            return SeedgateError.Invalid(
                names["output_format"],
                FieldRules.KnownOutputFormats.Contains(outputFormat, StringComparer.Ordinal)
                    ? $"{model.Id} does not offer {names["output_format"]} '{outputFormat}'; it offers {offered}."
                    : $"{names["output_format"]} '{request.OutputFormat}' is not valid; {model.Id} offers {offered}.");
        }

        if (request.Tools.Count > 0 && !rules.Tools)
        {
            return SeedgateError.Invalid(names["tools"], $"{model.Id} does not take {names["tools"]}; leave them out.");
        }

        for (var i = 1; i < request.Tools.Count; i++)
        {
            if (request.Tools.Take(i).Contains(request.Tools[i]))
            {
                var param = $"{names["tools"]}[{i}].type";
                return SeedgateError.Invalid(param, $"{param}: {WireNames.Of(request.Tools[i])} is listed twice.");
            }
        }

        if (request.Draft && !rules.Draft)
        {
            return SeedgateError.Invalid(
                names["draft"], $"{model.Id} does not make drafts (a Seedance 1.5 pro feature); leave {names["draft"]} false or out.");
        }

        if (safetyIdentifier is not null)
        {
            if (CheckText(safetyIdentifier, names["safety_identifier"], MaxSafetyIdentifierLength, MaxSafetyIdentifierCodeUnits) is { } tooLong)
            {
                return tooLong;
            }

            if (safetyIdentifier.Any(char.IsControl))
            {
                return SeedgateError.Invalid(names["safety_identifier"], $"{names["safety_identifier"]} must not contain control characters.");
            }
        }

        return null;
    }

    private static SeedgateError? CheckReferences(GenerationRequest request, ModelSpec model, string? prompt, ParamNames names, out InputMode mode)
    {
        mode = InputMode.Text;
        var refs = request.References;
        foreach (var reference in refs)
        {
            if (string.IsNullOrWhiteSpace(reference.Url))
            {
                return SeedgateError.Missing(reference.Param, $"{reference.Param}: the URL is missing.");
            }

            var expectedKind = reference.Role switch
            {
                ReferenceRole.FirstFrame or ReferenceRole.LastFrame or ReferenceRole.ReferenceImage => ReferenceKind.Image,
                ReferenceRole.ReferenceVideo => ReferenceKind.Video,
                ReferenceRole.ReferenceAudio => ReferenceKind.Audio,
            };
            if (expectedKind != reference.Kind)
            {
                return SeedgateError.Invalid(
                    reference.Param,
                    $"{reference.Param}: the role {WireNames.Of(reference.Role)} does not fit a {reference.Kind.ToString().ToLowerInvariant()}.");
            }
        }

        var counts = (
            Image: refs.Count(r => r.Kind == ReferenceKind.Image),
            Video: refs.Count(r => r.Kind == ReferenceKind.Video),
            Audio: refs.Count(r => r.Kind == ReferenceKind.Audio));
        var limits = model.MaxReferences;
        foreach (var (kind, count, limit) in new[]
        {
            ("images", counts.Image, limits.Image), ("videos", counts.Video, limits.Video), ("audio clips", counts.Audio, limits.Audio),
        })
        {
            if (count > limit)
            {
                var param = refs[refs.Count - 1].Param;
                return SeedgateError.Invalid(param, limit == 0
                    ? $"{model.Id} does not accept {kind}."
                    : $"{model.Id} accepts at most {limit} {kind} (got {count}).");
            }
        }

        var firsts = refs.Where(r => r.Role == ReferenceRole.FirstFrame).ToList();
        var lasts = refs.Where(r => r.Role == ReferenceRole.LastFrame).ToList();
        var multimodal = refs.Where(r => r.Role is ReferenceRole.ReferenceImage or ReferenceRole.ReferenceVideo or ReferenceRole.ReferenceAudio).ToList();
        if (firsts.Count > 1)
        {
            return SeedgateError.Invalid(firsts[1].Param, "Only one first_frame image is allowed.");
        }

        if (lasts.Count > 1)
        {
            return SeedgateError.Invalid(lasts[1].Param, "Only one last_frame image is allowed.");
        }

        if (lasts.Count == 1 && firsts.Count == 0)
        {
            return SeedgateError.Invalid(lasts[0].Param, "A last_frame image needs a first_frame image.");
        }

        if (multimodal.Count > 0 && firsts.Count + lasts.Count > 0)
        {
            return SeedgateError.Invalid(
                multimodal[0].Param,
                "First-frame, first+last-frame and multimodal reference modes cannot be mixed in one request.");
        }

        if (multimodal.Count > 0 && multimodal.All(r => r.Kind == ReferenceKind.Audio))
        {
            if (!model.FieldRules.AudioOnlyReference)
            {
                return SeedgateError.Invalid(multimodal[0].Param, $"Audio cannot be the only reference on {model.Id}; add an image or a video.");
            }

            // Audio may lead the video, but never be the whole request.
            if (prompt is null)
            {
                return SeedgateError.Missing(names["prompt"], $"{names["prompt"]} is required when audio is the only reference.");
            }
        }

        mode = (firsts.Count, lasts.Count, multimodal.Count) switch
        {
            (0, 0, 0) => InputMode.Text,
            (1, 0, _) => InputMode.FirstFrame,
            (1, 1, _) => InputMode.FirstLastFrame,
            _ => InputMode.Reference,
        };

        if (model.RequiredReference is { } required && refs.All(r => r.Kind != required))
        {
            var kind = required.ToString().ToLowerInvariant();
            return SeedgateError.Missing(names["references"], $"{model.Id} needs at least one {kind} reference.");
        }

        if (!model.InputModes.Contains(mode))
        {
            return SeedgateError.Invalid(
                mode == InputMode.Text ? names["references"] : refs[0].Param,
                $"{model.Id} does not accept {ModeName(mode)} input.");
        }

        if (mode == InputMode.Text && prompt is null)
        {
            return SeedgateError.Missing(names["prompt"], $"{names["prompt"]} is required when no image or video is given.");
        }

        return null;
    }

    private static string ModeName(InputMode mode) => mode switch
    {
        InputMode.Text => "text-only",
        InputMode.FirstFrame => "first-frame",
        InputMode.FirstLastFrame => "first+last-frame",
        InputMode.Reference => "multimodal reference",
    };

    private static SeedgateError? CheckText(string? text, string param, int maxCharacters, int maxCodeUnits)
    {
        if (text is null)
        {
            return null;
        }

        // Code units first: the check is free, and it bounds the work of counting clusters.
        if (text.Length > maxCodeUnits)
        {
            return SeedgateError.Invalid(
                param,
                $"{param} must be at most {maxCharacters} characters and {maxCodeUnits} UTF-16 code units (got {text.Length} code units).");
        }

        var characters = new StringInfo(text).LengthInTextElements;
        return characters > maxCharacters
            ? SeedgateError.Invalid(param, $"{param} must be at most {maxCharacters} characters (got {characters}).")
            : null;
    }

    private static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>
/// A dialect's wire names for canonical fields, so errors name the field the caller actually sent.
/// Fields without an entry keep their canonical (snake_case) name.
/// </summary>
public sealed class ParamNames(IReadOnlyDictionary<string, string> wireNames)
{
    public static ParamNames Canonical { get; } = new(new Dictionary<string, string>());

    public string this[string canonical] => wireNames.GetValueOrDefault(canonical, canonical);
}
