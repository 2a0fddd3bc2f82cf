using Seedgate.Core.Catalog;

namespace Seedgate.Core.Generation;

/// <summary>
/// Long takes: a clip longer than a model makes in one go, made as one job of segments, each at most the model's
/// longest clip (and at most 15 s), run in order, each continuing the one before. The plan is a function of the request
/// alone, so every node (and every restart) plans the same segments. Only models that take reference videos can
/// continue one. The server's jobs (Core/Jobs/LongTakes) run the plan; validation (here, shared with the SDK) checks it.
/// </summary>
public static class LongTakeRules
{
    /// <summary>The longest long take, in seconds.</summary>
    public const int MaxSeconds = 120;

    /// <summary>
    /// The longest segment: a segment is the next one's reference video, and a reference video lasts at most 15 s
    /// (Seedance 2.0's limit), whatever the model could make in one clip. The plan depends on no model, so it stays the
    /// same when a job falls back to another.
    /// </summary>
    public const int MaxSegmentSeconds = 15;

    /// <summary>Whether the model can continue a video (it takes reference videos and makes full segments): only such a model makes long takes.</summary>
    public static bool CanContinue(ModelSpec model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.MaxReferences.Video > 0 && model.InputModes.Contains(InputMode.Reference) && model.Duration.Max >= MaxSegmentSeconds;
    }

    /// <summary>
    /// The seconds of each segment of a (validated) long take: as few segments as <see cref="MaxSegmentSeconds"/>
    /// allows, as even as whole seconds go (42 s: 14 + 14 + 14), the longer ones first.
    /// </summary>
    public static IReadOnlyList<int> Plan(int durationSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(durationSeconds);
        var count = (durationSeconds + MaxSegmentSeconds - 1) / MaxSegmentSeconds;
        var shortest = durationSeconds / count;
        var longer = durationSeconds % count;
        return [.. Enumerable.Range(0, count).Select(i => shortest + (i < longer ? 1 : 0))];
    }
}
