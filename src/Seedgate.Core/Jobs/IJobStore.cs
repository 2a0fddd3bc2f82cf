using Seedgate.Core.Generation;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Upstream;

namespace Seedgate.Core.Jobs;

/// <summary>
/// Durable job storage. Every implementation (SQLite, PostgreSQL) passes the same compliance suite.
/// Methods that change a running job name the lease owner, so a worker that lost its lease (the job was
/// reclaimed after it stalled) can never overwrite the result of the worker that holds it now.
/// All times come from the caller's clock.
/// </summary>
public interface IJobStore
{
    Task CreateAsync(Job job, CancellationToken cancellationToken);

    /// <summary>Inserts several jobs at once (one round trip where the store allows): all of them, or none (it throws).</summary>
    Task CreateManyAsync(IReadOnlyList<Job> jobs, CancellationToken cancellationToken);

    /// <summary>Any job by id (for workers); null when there is none.</summary>
    Task<Job?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>A job by id, only when it belongs to the account (tenants never see each other's jobs).</summary>
    Task<Job?> GetForAccountAsync(string accountId, string id, CancellationToken cancellationToken);

    /// <summary>One page of an account's jobs, newest first, and the total that match.</summary>
    Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> runnable jobs for <paramref name="owner"/>: queued jobs, and running
    /// jobs whose lease lapsed (their worker died) or whose retry or resume time came. Highest priority first, then
    /// oldest. Sets status running, the lease and (first time) started_at and attempts = 1; a job taken from a worker
    /// that still named itself its owner counts a lapse. No job is claimed by two owners.
    /// </summary>
    Task<IReadOnlyList<Job>> ClaimAsync(string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// As the claim above, but a queued job starts only while its account has fewer jobs running than
    /// <paramref name="caps"/> allows, counted inside the claim's transaction with such claims taking turns across
    /// nodes: no account ever has more running than its cap, whatever races. Jobs already running (a lapsed lease, a
    /// due retry or resume) are taken back regardless: they hold their slot. An account at its cap does not hold up
    /// the jobs of others behind it.
    /// </summary>
    Task<IReadOnlyList<Job>> ClaimAsync(string owner, int max, DateTimeOffset now, TimeSpan lease, IRunningCaps caps, CancellationToken cancellationToken);

    /// <summary>
    /// The claim when upstream accounts serve some models: up to <paramref name="capacity"/>.Local jobs of local engines
    /// (as the capped claim above, caps optional), and up to .Upstream jobs of upstream engines. Of these, a job that
    /// holds an upstream slot (waiting on its task, or taken back from a dead worker) is taken regardless; one that
    /// needs a slot starts only while an account of <paramref name="lanes"/> that serves its model has one free, counted
    /// inside the transaction (claims take turns across nodes), and gets that slot with the claim. When slots are
    /// scarcer than demand, they go to the accounts with the fewest tasks in flight for their plan's weight, by priority
    /// and then age within an account.
    /// </summary>
    Task<IReadOnlyList<Job>> ClaimAsync(
        string owner, ClaimCapacity capacity, DateTimeOffset now, TimeSpan lease, IRunningCaps? caps, UpstreamLanes? lanes, CancellationToken cancellationToken);

    /// <summary>Extends the lease while the job runs; false when the owner no longer holds it.</summary>
    Task<bool> RenewLeaseAsync(string id, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>Running → succeeded with outputs and cost; false when the owner no longer holds the job.</summary>
    Task<bool> CompleteAsync(string id, string owner, JobOutputs outputs, long costMicros, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Several running → succeeded at once (one round trip where the store allows), each only when its owner still
    /// holds it. Returns the ids that were completed.
    /// </summary>
    Task<IReadOnlySet<string>> CompleteManyAsync(IReadOnlyList<JobCompletion> completions, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Running → failed or expired (<paramref name="status"/>) with the error; false when not held. A long take that
    /// made part of its clip ends with that part: its <paramref name="delivered"/> outputs and their price (charged).
    /// </summary>
    Task<bool> FailAsync(
        string id, string owner, JobStatus status, JobError error, DateTimeOffset now, CancellationToken cancellationToken, JobDelivery? delivered = null);

    /// <summary>
    /// A long take's segment finished: stores its finished <paramref name="segments"/> (all of them, in order, the new
    /// one last) and starts the next segment afresh (no checkpoint, attempt 1), the job still held; false when not held.
    /// </summary>
    Task<bool> FinishSegmentAsync(string id, string owner, IReadOnlyList<JobSegment> segments, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Gives a running job back after a transient failure: no owner, attempts + 1, retried at <paramref name="retryAt"/>.
    /// The checkpoint stays (the engine decides what it means for the next attempt).
    /// </summary>
    Task<bool> ScheduleRetryAsync(string id, string owner, JobError error, DateTimeOffset retryAt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ScheduleRetryAsync"/> on another model: the retry runs <paramref name="request"/> (its model the
    /// fallback) on <paramref name="engine"/>. Only a job with nothing under way on its engine (no checkpoint) moves;
    /// false when it has one, or is not held.
    /// </summary>
    Task<bool> FallBackAsync(
        string id, string owner, JobError error, DateTimeOffset retryAt, GenerationRequest request, string engine, DateTimeOffset now,
        CancellationToken cancellationToken);

    /// <summary>
    /// Stores the engine's checkpoint (and the upstream task id, once known) while the owner holds the job: before an
    /// external side effect, so recovery can tell "never sent" from "sent"; false when not held.
    /// </summary>
    Task<bool> CheckpointAsync(string id, string owner, EngineCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Running → waiting: stores the checkpoint and gives the job up (no owner, no slot) until
    /// <paramref name="resumeAt"/>, when any node may claim it for the next step; false when not held.
    /// </summary>
    Task<bool> WaitAsync(
        string id, string owner, EngineCheckpoint checkpoint, DateTimeOffset resumeAt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Queued → cancelled for the account's job; false when the job is not queued (or not the account's).</summary>
    Task<bool> CancelQueuedAsync(string accountId, string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes the account's job when it is succeeded, failed or expired; false otherwise.</summary>
    Task<bool> DeleteTerminalAsync(string accountId, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Marks as expired every job past its expiry that is queued, or running without a live lease
    /// (a running job with a live lease is expired by its worker). Returns the ids it expired.
    /// </summary>
    Task<IReadOnlyList<string>> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Up to <paramref name="max"/> finished jobs whose files are still kept although they finished before
    /// <paramref name="finishedBefore"/>, oldest first (for the retention sweep).
    /// </summary>
    Task<IReadOnlyList<string>> FindFilesPastRetentionAsync(DateTimeOffset finishedBefore, int max, CancellationToken cancellationToken);

    /// <summary>Records that the jobs' files were deleted (the records stay).</summary>
    Task MarkFilesDeletedAsync(IReadOnlyList<string> ids, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The job holding the account's live idempotency key (see <see cref="IdempotencyKeys"/>), or null.</summary>
    Task<JobIdempotencyHolder?> FindIdempotencyKeyAsync(string accountId, string key, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Start-up recovery: this owner's leases lapse at once, so its unfinished jobs are claimed again (each counting a
    /// lapse: the owner died holding them).
    /// </summary>
    Task<int> ReleaseLeasesAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>A graceful stop: this owner hands its running jobs back (no owner, claimable now; no lapse counted).</summary>
    Task<int> HandBackAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Queued and running jobs per account, cluster-wide (accounts with none are left out): the queue-depth gauges.</summary>
    Task<IReadOnlyList<AccountJobCounts>> CountUnfinishedAsync(CancellationToken cancellationToken);
}

/// <summary>An account's unfinished jobs.</summary>
public sealed record AccountJobCounts(string AccountId, int Queued, int Running);

/// <summary>Where an engine's step left off: its own state, and the upstream task id once there is one.</summary>
/// <param name="State">Engine-defined (e.g. <c>submitting</c>, <c>submitted</c>); stored as given.</param>
/// <param name="UpstreamTaskId">The upstream provider's task id; kept once set (a later checkpoint without one keeps it).</param>
public sealed record EngineCheckpoint(string State, string? UpstreamTaskId = null);

/// <summary>What a job that did not finish still delivered (a long take's finished segments, joined) and its price.</summary>
public sealed record JobDelivery(JobOutputs Outputs, long CostMicros);

/// <summary>One job's success, for <see cref="IJobStore.CompleteManyAsync"/>.</summary>
public sealed record JobCompletion(string Id, string Owner, JobOutputs Outputs, long CostMicros);

/// <summary>Filters for listing an account's jobs. Page numbers start at 1.</summary>
public sealed record JobQuery(string AccountId)
{
    public IReadOnlyList<JobStatus> Statuses { get; init; } = [];

    /// <summary>Matched against the model name the caller used or the catalog id.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    public IReadOnlyList<string> Ids { get; init; } = [];

    /// <summary>Found in the prompt, ignoring case (of ASCII letters on SQLite); null or empty: any prompt.</summary>
    public string? PromptContains { get; init; }

    /// <summary>Created at or after this moment; null: no lower bound.</summary>
    public DateTimeOffset? CreatedFrom { get; init; }

    /// <summary>Created before this moment; null: no upper bound.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    public int PageNumber { get; init; } = 1;
    public int PageSize { get; init; } = 10;
}

public sealed record JobPage(long Total, IReadOnlyList<Job> Items);

/// <summary>Per-account caps on running jobs, which a capped claim reads inside its transaction.</summary>
public interface IRunningCaps
{
    /// <summary>How many jobs each of <paramref name="accountIds"/> may have running at once.</summary>
    Task<IReadOnlyDictionary<string, int>> MaxRunningAsync(SqlSession session, IReadOnlyList<string> accountIds, CancellationToken cancellationToken);

    /// <summary>Each account's weight in the fair share of scarce upstream slots (1 unless a plan says more).</summary>
    Task<IReadOnlyDictionary<string, int>> WeightsAsync(SqlSession session, IReadOnlyList<string> accountIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, int>>(accountIds.Distinct(StringComparer.Ordinal).ToDictionary(id => id, _ => 1, StringComparer.Ordinal));
}

/// <summary>How many jobs a claim may take: for local engines (renders) and for upstream engines (short steps).</summary>
public sealed record ClaimCapacity(int Local, int Upstream);
