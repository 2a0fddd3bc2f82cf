using Seedgate.Core.Generation;

namespace Seedgate.Core.Jobs;

/// <summary>Where a job is in its life: queued → running → succeeded | failed | cancelled | expired.</summary>
public enum JobStatus
{
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Expired,
}

/// <summary>The durable record of one generation request.</summary>
public sealed record Job
{
    /// <summary>cgt-… (see <see cref="JobIds"/>).</summary>
    public required string Id { get; init; }

    public required string AccountId { get; init; }
    public required JobStatus Status { get; init; }

    /// <summary>The validated request, every default filled in; <c>Request.Model</c> is the catalog id.</summary>
    public required GenerationRequest Request { get; init; }

    /// <summary>The model name the caller used (id or alias), echoed back in task views.</summary>
    public required string RequestedModel { get; init; }

    /// <summary>The caller's X-Client-Request-Id / X-Correlation-Id, carried into logs and views.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>
    /// The W3C <c>traceparent</c> of the create (the span that submitted the job), or null: the job's later spans — its
    /// steps and completion, on any node — are its children, so one trace runs from the create to the finished video.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>The dialect the job was created through (see <see cref="JobDialects"/>); views and webhooks speak it.</summary>
    public string Dialect { get; init; } = JobDialects.Ark;

    /// <summary>The caller's Idempotency-Key and the fingerprint of the request it came with, when one was sent.</summary>
    public JobIdempotency? Idempotency { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>When an unfinished job becomes <see cref="JobStatus.Expired"/>.</summary>
    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>
    /// Which engine attempt this is: 1 from the first claim, one more after each transient failure. Restarts, lost
    /// leases and resumed waits do not count (see <see cref="Lapses"/>).
    /// </summary>
    public int Attempts { get; init; }

    /// <summary>How often a worker lost the job without an outcome (it died, or its lease lapsed).</summary>
    public int Lapses { get; init; }

    /// <summary>Where the engine's last step left off (engine-defined); null before the first checkpoint.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>The node holding the job while it runs, or null.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>
    /// While running: when the owner's lease lapses unless renewed. A running job with no owner waits (for a retry,
    /// or for its engine's next step) until this time. Null for a queued job.
    /// </summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>
    /// True once the job runs (or ran) on the fallback model the caller named: <c>Request.Model</c> is then that model,
    /// the one that serves it and whose price it pays.
    /// </summary>
    public bool ServedByFallback => Request.FallbackModel is { } fallback && string.Equals(fallback, Request.Model, StringComparison.Ordinal);

    /// <summary>The engine that serves the job (from the catalog route).</summary>
    public required string Engine { get; init; }

    /// <summary>The upstream provider's task id, once submitted upstream (never submitted twice).</summary>
    public string? UpstreamTaskId { get; init; }

    public JobOutputs? Outputs { get; init; }
    public JobError? Error { get; init; }

    /// <summary>A long take's finished segments, in order (see <see cref="LongTakes"/>); empty for any other job.</summary>
    public IReadOnlyList<JobSegment> Segments { get; init; } = [];

    /// <summary>When the retention sweep deleted the job's files (its outputs are gone; the record stays).</summary>
    public DateTimeOffset? FilesDeletedAt { get; init; }

    /// <summary>What the job cost, in micro-dollars, once it succeeded: the price of what it made.</summary>
    public long? CostMicros { get; init; }

    /// <summary>
    /// What the ledger holds for the job from submit to end, its estimate (the reserve entry), in micro-dollars; null when
    /// nothing was reserved (the ledger is off, or the job is older than it). Not a column: the store's reads (by id, and
    /// lists) bring it along from the ledger in the same statement; rows returned by transitions leave it null.
    /// </summary>
    public long? ReservedMicros { get; init; }

    /// <summary>
    /// What the account was charged for the job (the charge entry), in micro-dollars: a success's cost, or $0 when the
    /// month's free quota covered it, or a content-policy failure's fee; for a long take, with what its segments were
    /// charged as they finished (so far, while it runs); null while there is none. Read like <see cref="ReservedMicros"/>.
    /// </summary>
    public long? ChargedMicros { get; init; }

    /// <summary>
    /// What the account pays for the job: its charge; without a ledger entry (the ledger off, or a job older than it) the
    /// cost of a success; null until the job ended (a long take's segments are charged while it runs: not final yet) and
    /// when nothing is owed.
    /// </summary>
    public long? FinalCostMicros => !IsTerminal ? null : ChargedMicros ?? (Status == JobStatus.Succeeded ? CostMicros : null);

    /// <summary>True for a success the month's free quota covered: it made something with a price, and was charged $0.</summary>
    public bool CoveredByFreeQuota => Status == JobStatus.Succeeded && ChargedMicros == 0 && CostMicros > 0;

    public bool IsTerminal => JobStatusRules.IsTerminal(Status);

    /// <summary>
    /// When a job that failed transiently is tried again: it waits, held by nobody, with its last error. Views show it
    /// as queued with this time; null for any other job (a job waiting on its engine's next step has no error).
    /// </summary>
    public DateTimeOffset? RetryAt => Status == JobStatus.Running && LeaseOwner is null && Error is not null ? LeaseUntil : null;

    /// <summary>The status a caller sees: a job waiting for a retry is queued again.</summary>
    public JobStatus VisibleStatus => RetryAt is null ? Status : JobStatus.Queued;
}

/// <summary>An Idempotency-Key as a job keeps it: the key, and the fingerprint of the request sent with it.</summary>
public sealed record JobIdempotency(string Key, string RequestFingerprint);

/// <summary>The names of the HTTP dialects, as jobs record them.</summary>
public static class JobDialects
{
    public const string Ark = "ark";
    public const string SeedanceV1 = "seedance-v1";
    public const string Variant = "variant";
}

/// <summary>What a successful job produced. Keys name blobs in Seedgate's blob store.</summary>
public sealed record JobOutputs(
    string VideoKey,
    string? LastFrameKey,
    int Width,
    int Height,
    int FramesPerSecond,
    double DurationSeconds,
    bool HasAudio,
    string Ratio,
    long Tokens);

/// <summary>
/// One finished segment of a long take: its own video in storage (the next segment continues it; the job's output joins
/// them all), and its price, fixed when it finished.
/// </summary>
public sealed record JobSegment(int Index, JobOutputs Outputs, long CostMicros, DateTimeOffset FinishedAt);

/// <summary>Why a job failed (or the last transient error before a retry).</summary>
public sealed record JobError(string Code, string Message, string? Param = null)
{
    public static JobError From(SeedgateError error) => new(error.Code, error.Message, error.Param);

    /// <summary>A refusal at the content-policy check (of the prompt, an input image, or the output video).</summary>
    public bool IsContentPolicy => Code is ErrorCodes.InputTextSensitiveContentDetected
        or ErrorCodes.InputImageSensitiveContentDetected or ErrorCodes.OutputVideoSensitiveContentDetected;

    /// <summary>A refusal of the request's own inputs (a reference that cannot be fetched or read, a field out of range).</summary>
    public bool IsInvalidInput => Code is ErrorCodes.InvalidParameter or ErrorCodes.MissingParameter;
}
