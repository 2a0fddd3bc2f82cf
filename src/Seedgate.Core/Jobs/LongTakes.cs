using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;

namespace Seedgate.Core.Jobs;

/// <summary>
/// Long takes run as one job of segments (<see cref="LongTakeRules"/>: how long, which models, the plan), segment k + 1
/// taking segment k's video as its reference video (the model continues it); a segment's video is stored as it
/// finishes (<see cref="IJobStore.FinishSegmentAsync"/>), and the job's output joins them.
/// </summary>
public static class LongTakes
{
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
