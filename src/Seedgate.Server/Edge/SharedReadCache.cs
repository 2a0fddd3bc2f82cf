using System.Collections.Concurrent;

namespace Seedgate.Server.Edge;

/// <summary>
/// Values the edge reads from the store on every request (a key's account, an account's plan), kept per key for a
/// short lifetime. The requests that find a key missing or stale together share one read — the first starts it, the
/// others wait for it — so a burst costs one read, not a pooled connection per request (64 at once, every second, in
/// the limits benchmark before). A read that fails is not kept.
/// </summary>
internal sealed class SharedReadCache<TValue>(TimeSpan lifetime, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>
    /// The value kept for <paramref name="key"/>, or what <paramref name="read"/> gives (which should not stop with
    /// one caller's cancellation: others may be waiting for it). <paramref name="cancellationToken"/> stops only this wait.
    /// </summary>
    public async ValueTask<TValue> GetAsync(string key, Func<Task<TValue>> read, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entry = _entries.GetOrAdd(key, static (_, until) => new Entry(until), now + lifetime);
        if (entry.Until <= now)
        {
            var fresh = new Entry(now + lifetime);
            entry = _entries.TryUpdate(key, fresh, entry) ? fresh : _entries.GetOrAdd(key, fresh);
        }

        var reading = entry.Start(read);
        try
        {
            return await reading.WaitAsync(cancellationToken);
        }
        catch when (reading.IsFaulted || reading.IsCanceled)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
            throw;
        }
    }

    /// <summary>Drops what is kept for <paramref name="key"/>: the next request reads again.</summary>
    public void Forget(string key) => _entries.TryRemove(key, out _);

    /// <summary>One read, started by the first request that needs it, good until <see cref="Until"/>.</summary>
    private sealed class Entry(DateTimeOffset until)
    {
        private readonly Lock _starting = new();
        private Task<TValue>? _read;

        public DateTimeOffset Until { get; } = until;

        public Task<TValue> Start(Func<Task<TValue>> read)
        {
            lock (_starting)
            {
                return _read ??= read();
            }
        }
    }
}
