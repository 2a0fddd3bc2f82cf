using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;

namespace Seedgate.Core.Jobs;

/// <summary>
/// Long takes: a clip longer than a model makes in one go, made as one job of segments, each at most the model's
/// longest clip (and at most 15 s), run in order, segment k + 1 taking segment k's video as its reference video (the model continues it).
/// The plan is a function of the request alone, so every node (and every restart) plans the same segments; a
/// segment's video is stored as it finishes (<see cref="IJobStore.FinishSegmentAsync"/>), and the job's output joins
/// them. Only models that take reference videos can continue one.
/// </summary>
public static class LongTakes
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

    /// <summary>
    /// The job as its engine sees it for its next segment (the one after those finished): that segment's seconds, and a
    /// seed of its own (an upstream finds a lost create by its seed). The first segment has the caller's references
    /// but a last frame; later ones continue the previous segment's video alone (it carries the look the caller's
    /// images gave), and the last one ends on the caller's last frame. The caller's audio plays under the first.
    /// </summary>
    public static Job NextSegment(Job job, IReadOnlyList<int> plan)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(plan);
        var index = job.Segments.Count;
        var request = job.Request;
        var last = index == plan.Count - 1;
        var references = index == 0
            ? request.References.Where(r => r.Role != ReferenceRole.LastFrame || last).ToList()
            :
            [
                new Reference(ReferenceKind.Video, ReferenceRole.ReferenceVideo, JobSubmitter.BlobScheme + job.Segments[index - 1].Outputs.VideoKey, $"segments[{index - 1}]"),
                .. request.References.Where(r => last && r.Role == ReferenceRole.LastFrame),
            ];
        return job with
        {
            Request = request with
            {
                Duration = plan[index],
                LongTake = false,
                References = references,
                Seed = (request.Seed!.Value + index) % (RequestValidator.MaxSeed + 1),
                ReturnLastFrame = request.ReturnLastFrame && last,
                FallbackModel = null,
            },
        };
    }
}
