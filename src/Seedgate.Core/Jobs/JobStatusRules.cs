namespace Seedgate.Core.Jobs;

/// <summary>The job state machine: which statuses are terminal and which moves are allowed.</summary>
public static class JobStatusRules
{
    public static bool IsTerminal(JobStatus status) => status switch
    {
        JobStatus.Queued or JobStatus.Running => false,
        JobStatus.Succeeded or JobStatus.Failed or JobStatus.Cancelled or JobStatus.Expired => true,
    };

    /// <summary>Terminal states never change; a running job cannot go back to queued.</summary>
    public static bool CanMove(JobStatus from, JobStatus to) => (from, to) switch
    {
        (JobStatus.Queued, JobStatus.Running) => true,
        (JobStatus.Queued, JobStatus.Cancelled or JobStatus.Expired or JobStatus.Failed) => true,
        (JobStatus.Running, JobStatus.Running) => true, // a lease renewal or a reclaim after a crash
        (JobStatus.Running, JobStatus.Succeeded or JobStatus.Failed or JobStatus.Expired or JobStatus.Cancelled) => true,
        _ => false,
    };

    /// <summary>The lower-case name every dialect and the database use.</summary>
    public static string Name(JobStatus status) => status switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Running => "running",
        JobStatus.Succeeded => "succeeded",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        JobStatus.Expired => "expired",
    };

    public static bool TryParse(string? name, out JobStatus status)
    {
        foreach (var candidate in Enum.GetValues<JobStatus>())
        {
            if (string.Equals(Name(candidate), name, StringComparison.Ordinal))
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }
}
