namespace Seedgate.Core.Dispatch;

/// <summary>How the dispatcher runs jobs on this node (configuration section Seedgate:Dispatch).</summary>
internal sealed class DispatchOptions
{
    /// <summary>False makes an API-only node: it accepts and serves jobs, other nodes run them.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Jobs this node runs at once (renders are CPU-bound: about one per two cores).</summary>
    public int ConcurrentJobs { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>
    /// Steps of upstream-served jobs this node runs at once, besides <see cref="ConcurrentJobs"/>: they submit, poll
    /// and download rather than render, so they get their own, larger pool (a render never holds up a submit).
    /// </summary>
    public int ConcurrentUpstreamSteps { get; set; } = 16;

    /// <summary>How long a claim lasts without renewal; a node that dies loses its jobs after this.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the store is checked when no wake-up came (other nodes' work, retries, expiry).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Engine attempts of one job (the first, and one more after each transient failure) before it fails for good.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>
    /// Transient failures (attempts that failed) after which a job that names a <c>fallback_model</c> runs its next attempt on it (the
    /// first seed's advice: retry 2–3 times, then fall back to the Fast tier). Only a job with nothing under way on its
    /// engine moves (an upstream task that still runs, or a finished one being copied, is never abandoned).
    /// </summary>
    public int FallbackAfterFailures { get; set; } = 2;

    /// <summary>
    /// Times a job may be lost by its worker without an outcome (the node died, or its lease lapsed) before it fails for
    /// good: a job that kills its worker cannot loop forever.
    /// </summary>
    public int MaxLapses { get; set; } = 3;

    /// <summary>First retry delay after a transient failure; doubles per attempt, ±20 % jitter.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often scratch entries that no running step owns are removed (all of them at start-up).</summary>
    public TimeSpan ScratchSweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Scratch space for engines; each step gets a subdirectory that is removed afterwards.</summary>
    public string WorkDirectory { get; set; } = "";
}

/// <summary>This node's stable name; leases carry it, so a restarted node can take its own jobs back at once.</summary>
public sealed record NodeIdentity(string Id);
