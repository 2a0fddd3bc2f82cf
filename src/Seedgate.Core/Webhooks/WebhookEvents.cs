using Seedgate.Core.Jobs;

namespace Seedgate.Core.Webhooks;

/// <summary>The event types a job's life produces, as endpoints subscribe to them and deliveries name them.</summary>
public static class WebhookEvents
{
    public const string Queued = "job.queued";
    public const string Running = "job.running";
    public const string Succeeded = "job.succeeded";
    public const string Failed = "job.failed";
    public const string Cancelled = "job.cancelled";
    public const string Expired = "job.expired";
    public const string SegmentSucceeded = "job.segment.succeeded";

    /// <summary>Subscribes an endpoint to every event type, present and future.</summary>
    public const string All = "*";

    public static IReadOnlyList<string> Types { get; } = [Queued, Running, Succeeded, Failed, Cancelled, Expired, SegmentSucceeded];

    /// <summary>
    /// The event a transition announces, or null. A job starts running once (its first claim: started_at is set then);
    /// a re-claim after a retry, an upstream wait or a lost lease is the same run going on, and retries are not
    /// announced: the next event is the outcome.
    /// </summary>
    public static string? Of(JobTransition transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        return transition.Kind switch
        {
            JobTransitionKind.Created => Queued,
            JobTransitionKind.Claimed when transition.Job.StartedAt == transition.Job.UpdatedAt => Running,
            JobTransitionKind.SegmentFinished => SegmentSucceeded,
            JobTransitionKind.Completed => Succeeded,
            JobTransitionKind.Failed => Failed,
            JobTransitionKind.Cancelled => Cancelled,
            JobTransitionKind.Expired => Expired,
            _ => null,
        };
    }

    /// <summary>Whether a transition of this kind can announce anything (the store reads changed rows back only then).</summary>
    public static bool CanAnnounce(JobTransitionKind kind) => kind is JobTransitionKind.Created or JobTransitionKind.Claimed
        or JobTransitionKind.SegmentFinished or JobTransitionKind.Completed or JobTransitionKind.Failed
        or JobTransitionKind.Cancelled or JobTransitionKind.Expired;

    /// <summary>Whether an endpoint subscribed to <paramref name="subscribed"/> wants <paramref name="eventType"/>.</summary>
    public static bool Wants(IReadOnlyList<string> subscribed, string eventType) =>
        subscribed.Contains(All) || subscribed.Contains(eventType);
}
