using Seedgate.Core.Jobs;
using Seedgate.Core.Upstream;

namespace Seedgate.Core.Dispatch;

/// <summary>
/// Decides which runnable jobs this node takes when it has free slots. The dispatch loop asks it and nothing else, so
/// per-account caps, upstream capacity and fair shares are policies added here without touching the loop.
/// </summary>
internal interface IClaimPolicy
{
    /// <summary>Claims at most <paramref name="capacity"/> jobs (local, upstream) for <paramref name="owner"/>, leased until now + lease.</summary>
    Task<IReadOnlyList<Job>> ClaimAsync(string owner, ClaimCapacity capacity, TimeSpan lease, CancellationToken cancellationToken);
}

/// <summary>
/// The default policy: the store's order, highest priority first, then oldest; when per-account caps are registered
/// (the server's plans: max_in_progress), a queued job starts only while its account is under its cap, cluster-wide;
/// when upstream accounts are configured, a job they serve starts only into a free slot of one of them, slots shared
/// fairly across accounts (see <see cref="IJobStore.ClaimAsync(string, ClaimCapacity, DateTimeOffset, TimeSpan, IRunningCaps?, UpstreamLanes?, CancellationToken)"/>).
/// </summary>
internal sealed class PriorityClaimPolicy(IJobStore store, TimeProvider time, IRunningCaps? caps = null, UpstreamLanes? lanes = null) : IClaimPolicy
{
    public Task<IReadOnlyList<Job>> ClaimAsync(string owner, ClaimCapacity capacity, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(capacity);
        return (caps, lanes) switch
        {
            (_, not null) => store.ClaimAsync(owner, capacity, time.GetUtcNow(), lease, caps, lanes, cancellationToken),
            (not null, null) => store.ClaimAsync(owner, capacity.Local, time.GetUtcNow(), lease, caps, cancellationToken),
            _ => store.ClaimAsync(owner, capacity.Local, time.GetUtcNow(), lease, cancellationToken),
        };
    }
}
