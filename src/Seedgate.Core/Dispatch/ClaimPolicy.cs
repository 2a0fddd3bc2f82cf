using Seedgate.Core.Jobs;

namespace Seedgate.Core.Dispatch;

/// <summary>
/// Decides which runnable jobs this node takes when it has free slots. The dispatch loop asks it and nothing else, so
/// per-account caps, upstream capacity and fair shares are policies added here without touching the loop.
/// </summary>
internal interface IClaimPolicy
{
    /// <summary>Claims at most <paramref name="capacity"/> jobs for <paramref name="owner"/>, leased until now + lease.</summary>
    Task<IReadOnlyList<Job>> ClaimAsync(string owner, int capacity, TimeSpan lease, CancellationToken cancellationToken);
}

/// <summary>
/// The default policy: the store's order, highest priority first, then oldest; when per-account caps are registered
/// (the server's plans: max_in_progress), a queued job starts only while its account is under its cap, cluster-wide.
/// </summary>
internal sealed class PriorityClaimPolicy(IJobStore store, TimeProvider time, IRunningCaps? caps = null) : IClaimPolicy
{
    public Task<IReadOnlyList<Job>> ClaimAsync(string owner, int capacity, TimeSpan lease, CancellationToken cancellationToken) =>
        caps is null
            ? store.ClaimAsync(owner, capacity, time.GetUtcNow(), lease, cancellationToken)
            : store.ClaimAsync(owner, capacity, time.GetUtcNow(), lease, caps, cancellationToken);
}
