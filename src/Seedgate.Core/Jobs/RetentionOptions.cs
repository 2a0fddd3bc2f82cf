namespace Seedgate.Core.Jobs;

/// <summary>How long Seedgate keeps a finished job's files (configuration section Seedgate:Retention).</summary>
public sealed class RetentionOptions
{
    public const string SectionName = "Seedgate:Retention";

    /// <summary>How long after a job finished its outputs (and any inputs left) are kept; the record stays (SPEC §3: 7 days).</summary>
    public TimeSpan Files { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the retention sweep runs.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);
}
