using Seedgate.Core.Generation;

namespace Seedgate.Core.Jobs;

/// <summary>
/// Draft → final: iterate on a cheap model, then re-run the chosen draft on a better one. A request naming a draft
/// (<see cref="GenerationRequest.DraftTaskId"/>) takes from it what makes the picture — prompt, negative prompt,
/// references, seed, style, camera motion, camera_fixed, ratio and duration — wherever the request itself says nothing
/// (a seed of -1, many clients' default, counts as nothing: the point of a final is the draft's seed).
/// What belongs to the new render (model, resolution, audio, tools, callback, priority…) is the request's own.
/// </summary>
public static class DraftPromotion
{
    private const long RandomSeed = -1;

    /// <summary>
    /// Null when <paramref name="draft"/> (the caller's own job, or null when there is none) may be promoted, else the
    /// 400 naming <paramref name="param"/>. The same message for a missing task and another account's task.
    /// </summary>
    public static SeedgateError? Check(string draftId, Job? draft, string param) => draft switch
    {
        null => SeedgateError.Invalid(param, $"{param}: there is no task {draftId} on this account to promote."),
        { Status: not JobStatus.Succeeded } => SeedgateError.Invalid(
            param, $"{param}: task {draftId} is {JobStatusRules.Name(draft.Status)}; only a succeeded task can be promoted to a final."),
        _ => null,
    };

    /// <summary>The request with the draft's fields filled in where <paramref name="final"/> left them out.</summary>
    public static GenerationRequest Apply(GenerationRequest final, Job draft)
    {
        ArgumentNullException.ThrowIfNull(final);
        ArgumentNullException.ThrowIfNull(draft);
        var source = draft.Request;
        var duration = final.Duration ?? (source.AutoDuration ? -1 : source.Duration);
        return final with
        {
            Prompt = final.Prompt ?? source.Prompt,
            NegativePrompt = final.NegativePrompt ?? source.NegativePrompt,
            References = final.References.Count > 0 ? final.References : source.References,
            Seed = final.Seed is null or RandomSeed ? source.Seed : final.Seed, // a client's default -1 keeps the draft's seed
            Style = final.Style ?? source.Style,
            CameraMotion = final.CameraMotion ?? source.CameraMotion,
            CameraFixed = final.CameraFixed || source.CameraFixed,

            // The shape the draft came out in (adaptive resolved to what the first image gave).
            Ratio = final.Ratio ?? draft.Outputs?.Ratio ?? source.Ratio,
            Duration = duration,
            LongTake = final.LongTake || (final.Duration is null && source.LongTake),
        };
    }
}
