using System.Collections.Concurrent;

namespace Seedgate.Core.Jobs;

/// <summary>
/// In-process wake-ups: the dispatcher waits for "work was queued", long-polls wait for "this job changed".
/// They speed things up on one node; correctness never depends on them (waiters also re-read the store on
/// a timer, which is how changes made by other nodes are seen).
/// </summary>
public sealed class JobSignals : IDisposable
{
    private readonly SemaphoreSlim _workQueued = new(0, int.MaxValue);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _changes = new(StringComparer.Ordinal);

    /// <summary>Says that runnable work may exist.</summary>
    public void WorkQueued()
    {
        if (_workQueued.CurrentCount == 0)
        {
            _workQueued.Release();
        }
    }

    /// <summary>Waits until work is signalled or the timeout passes; true when signalled.</summary>
    public Task<bool> WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        _workQueued.WaitAsync(timeout, cancellationToken);

    /// <summary>Raised on every <see cref="JobChanged"/> (caches drop their copy).</summary>
    public event Action<string>? Changed;

    /// <summary>Says that a job's record changed (status, lease, outputs) or was deleted.</summary>
    public void JobChanged(string jobId)
    {
        Changed?.Invoke(jobId);
        if (_changes.TryRemove(jobId, out var waiters))
        {
            waiters.TrySetResult();
        }
    }

    public void Dispose() => _workQueued.Dispose();

    /// <summary>A task that completes at the next <see cref="JobChanged"/> for the job.</summary>
    public Task NextChangeAsync(string jobId) =>
        _changes.GetOrAdd(jobId, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>
    /// Drops the subscription behind <paramref name="change"/> when it was made for a job that does not exist (for the
    /// caller): ids nobody will ever change would otherwise stay for ever, and a caller polling made-up ids could grow
    /// them without bound. A real waiter sharing it re-subscribes on its next round (or re-reads within a second).
    /// </summary>
    public void Forget(string jobId, Task change)
    {
        if (_changes.TryGetValue(jobId, out var waiters) && waiters.Task == change)
        {
            _changes.TryRemove(new KeyValuePair<string, TaskCompletionSource>(jobId, waiters));
        }
    }

    /// <summary>How many jobs have waiters (for tests).</summary>
    internal int Subscriptions => _changes.Count;
}
