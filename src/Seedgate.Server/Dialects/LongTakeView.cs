using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;

namespace Seedgate.Server.Dialects;

/// <summary>
/// A long take's progress in a task view (Seedgate's extension, the same in every dialect): the seconds planned and
/// made, a percentage, and each segment's index, status and seconds.
/// </summary>
internal sealed record LongTakeView(int Seconds, double FinishedSeconds, int Progress, IReadOnlyList<LongTakeSegmentView> Segments)
{
    /// <summary>The view of a long take; null for any other job.</summary>
    public static LongTakeView? Of(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!job.Request.LongTake)
        {
            return null;
        }

        var plan = LongTakeRules.Plan(job.Request.Duration!.Value);
        var segments = plan.Select((seconds, index) => index < job.Segments.Count
            ? new LongTakeSegmentView(index, "succeeded", job.Segments[index].Outputs.DurationSeconds)
            : new LongTakeSegmentView(index, index == job.Segments.Count ? JobStatusRules.Name(job.VisibleStatus) : "pending", seconds)).ToList();
        var planned = plan.Sum();
        var finished = job.Segments.Sum(s => s.Outputs.DurationSeconds);
        var progress = job.Status == JobStatus.Succeeded ? 100 : (int)Math.Min(99, Math.Floor(100 * finished / planned));
        return new LongTakeView(planned, Math.Round(finished, 3), progress, segments);
    }
}

/// <summary>One segment of a long take: pending, or the segment under way's job status (queued, running, succeeded, failed, …).</summary>
internal sealed record LongTakeSegmentView(int Index, string Status, double Seconds);
