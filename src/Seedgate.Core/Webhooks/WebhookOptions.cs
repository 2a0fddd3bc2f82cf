namespace Seedgate.Core.Webhooks;

/// <summary>How deliveries go out (<c>Seedgate:Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Seedgate:Webhooks";

    /// <summary>
    /// The waits before each retry of a delivery whose attempt failed: about a day in all by default (5 s, 5 min,
    /// 30 min, 2 h, 5 h, 10 h). When they run out the delivery is failed.
    /// </summary>
    public IList<TimeSpan> RetrySchedule { get; } = [];

    /// <summary>The default schedule, used when <see cref="RetrySchedule"/> is empty.</summary>
    public static IReadOnlyList<TimeSpan> DefaultRetrySchedule { get; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10),
    ];

    /// <summary>One attempt (connect, send, the answer's headers and capped body) must finish within this.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>At most this much of a receiver's answer is read (the rest is dropped; a few bytes are kept as the error).</summary>
    public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>Deliveries in flight per node.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary>How often a node looks for due deliveries without a wake-up (others nodes' transitions, retries due).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a leased delivery is this node's; a node that dies with one leased gives it up after this.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>After a secret rotation, how long the previous secret also signs (unless the rotation names another).</summary>
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a delivery that ended (delivered or failed) stays listed before it is deleted.</summary>
    public TimeSpan KeepFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often a node deletes the deliveries past <see cref="KeepFor"/>.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Whether this node sends deliveries (the outbox is written regardless).</summary>
    public bool Enabled { get; set; } = true;

    public IReadOnlyList<TimeSpan> Schedule => RetrySchedule.Count > 0 ? [.. RetrySchedule] : DefaultRetrySchedule;
}
