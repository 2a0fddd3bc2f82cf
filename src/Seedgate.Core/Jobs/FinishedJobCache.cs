using System.Collections.Concurrent;

namespace Seedgate.Core.Jobs;

/// <summary>
/// Finished jobs never change again, only disappear when deleted, so task reads can serve them from memory
/// (polling clients and result pages read them over and over). A local change drops the copy at once; a
/// deletion made by another node is seen within <see cref="Lifetime"/>.
/// </summary>
public sealed class FinishedJobCache
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);
    private const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, (Job Job, DateTimeOffset Until)> _jobs = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public FinishedJobCache(JobSignals signals, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(signals);
        _time = time;
        signals.Changed += id => _jobs.TryRemove(id, out _);
    }

    public bool TryGet(string id, out Job job)
    {
        if (_jobs.TryGetValue(id, out var entry) && entry.Until > _time.GetUtcNow())
        {
            job = entry.Job;
            return true;
        }

        job = null!;
        return false;
    }

    public void Add(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!job.IsTerminal)
        {
            return;
        }

        if (_jobs.Count >= Capacity)
        {
            _jobs.Clear(); // crude but bounded: the cache refills from the store
        }

        _jobs[job.Id] = (job, _time.GetUtcNow() + Lifetime);
    }
}
