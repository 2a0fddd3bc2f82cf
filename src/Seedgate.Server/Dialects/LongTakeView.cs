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

        var plan = LongTakes.Plan(job.Request.Duration!.Value);
        var segments = plan.Select((seconds, index) => index < job.Segments.Count
            ? new LongTakeSegmentView(index, "succeeded", job.Segments[index].Outputs.DurationSeconds)
            : new LongTakeSegmentView(index, index == job.Segments.Count ? CurrentStatus(job) : "pending", seconds)).ToList();
        var planned = plan.Sum();
        var finished = job.Segments.Sum(s => s.Outputs.DurationSeconds);
        var progress = job.Status == JobStatus.Succeeded ? 100 : (int)Math.Min(99, Math.Floor(100 * finished / planned));
        return new LongTakeView(planned, Math.Round(finished, 3), progress, segments);
    }

    /// <summary>The segment under way takes the job's state: queued, running, or how the job ended.</summary>
    private static string CurrentStatus(Job job) => job.VisibleStatus switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Running => "running",
        JobStatus.Succeeded => "succeeded",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        JobStatus.Expired => "expired",
        _ => "pending",
    };
}

/// <summary>One segment of a long take: pending, queued, running, succeeded, failed, cancelled or expired.</summary>
internal sealed record LongTakeSegmentView(int Index, string Status, double Seconds);
