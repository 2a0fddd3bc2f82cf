using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Jobs;

/// <summary>What happened to a job in one store write.</summary>
public enum JobTransitionKind
{
    Created,
    Claimed,
    Completed,
    Failed,
    Expired,
    RetryScheduled,
    Waiting,
    SegmentFinished,
    Cancelled,
    Deleted,
}

/// <summary>One job's change, as the row stands after it (for <see cref="JobTransitionKind.Deleted"/>: before).</summary>
public sealed record JobTransition(JobTransitionKind Kind, Job Job);

/// <summary>
/// A side effect of job transitions that must agree with the job's state: ledger entries, per-account counters,
/// idempotency keys, webhook outbox rows. It runs inside the transaction of the transition, after the job row
/// changed, and only when it changed: it commits with the transition, and is absent when the transition is refused
/// (lease lost, wrong state). Throwing rolls the whole write back, transition included.
/// </summary>
public interface IJobEffect
{
    /// <summary>
    /// Whether the effect acts on this kind of transition at all; the store reads back the changed rows only for the
    /// kinds some effect acts on, so a transition no effect cares about costs one plain statement.
    /// </summary>
    bool AppliesTo(JobTransitionKind kind) => true;

    /// <summary>
    /// For a create, asked before the write: whether the effect acts on this new job. A create no effect acts on is
    /// one plain insert (on PostgreSQL without an explicit transaction).
    /// </summary>
    bool AppliesToCreate(Job job) => true;

    Task ApplyAsync(JobTransition transition, SqlSession session, CancellationToken cancellationToken);

    /// <summary>
    /// Runs the effect for every job one write changed (all of one kind). By default <see cref="ApplyAsync"/> for each
    /// in turn; an effect that writes a row a job overrides it to write them in one round trip.
    /// </summary>
    async Task ApplyAllAsync(IReadOnlyList<JobTransition> transitions, SqlSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        foreach (var transition in transitions)
        {
            await ApplyAsync(transition, session, cancellationToken);
        }
    }
}
