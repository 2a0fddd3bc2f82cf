using System.Collections.Concurrent;
using Seedgate.Core.Accounts;

namespace Seedgate.Server.Limits;

/// <summary>The verdict on one request, and the figures of its X-RateLimit-* headers.</summary>
/// <param name="Allowed">Whether the request may go on.</param>
/// <param name="Remaining">About how many more requests the bucket allows now, as this node last saw it.</param>
/// <param name="Reset">When the bucket is full again.</param>
/// <param name="RetryAfter">For a refused request: when the next token comes.</param>
internal readonly record struct RateDecision(bool Allowed, int Remaining, TimeSpan Reset, TimeSpan RetryAfter);

/// <summary>
/// Per-account request rates, cluster-wide: each account and class of request (create, poll) has one token bucket in
/// the store, and nodes lease whole tokens from it a tenth of a second's worth at a time (at least one), so the
/// cluster admits together what one bucket gives (the rate plus the burst) with about one store write per lease,
/// not per request. A node that finds the bucket empty knows when the next token comes and refuses locally until
/// then: refusals cost no round trip. Leased tokens left unused for a second are dropped, so in any window the
/// cluster admits at most the bucket's output plus one second of rate. (ADR 0008 says why not the per-process
/// ASP.NET Core limiter: it would make the real limit limit × nodes.)
/// </summary>
internal sealed class ClusterRateLimiter(IAccountStore store, TimeProvider time)
{
    public const string CreateClass = "create";
    public const string PollClass = "poll";

    private static readonly TimeSpan LeaseShare = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan LeaseLifetime = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<(string Account, string Class), Bucket> _buckets = new();

    public async ValueTask<RateDecision> AcquireAsync(
        string accountId, string bucketClass, double perSecond, int burst, CancellationToken cancellationToken)
    {
        var bucket = _buckets.GetOrAdd((accountId, bucketClass), _ => new Bucket());
        if (bucket.TryDecide(time.GetUtcNow(), perSecond, burst) is { } known)
        {
            return known; // a leased token, or an empty bucket: no wait, no round trip
        }

        // One lease at a time per bucket and node; whoever waited may find the tokens another request just leased.
        await bucket.Gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (bucket.TryDecide(now, perSecond, burst) is { } leasedMeanwhile)
            {
                return leasedMeanwhile;
            }

            var want = Math.Clamp((int)Math.Ceiling(perSecond * LeaseShare.TotalSeconds), 1, burst);
            var lease = await store.LeaseRateTokensAsync(accountId, bucketClass, perSecond, burst, want, now, cancellationToken);
            return bucket.Leased(lease, now, perSecond, burst);
        }
        finally
        {
            bucket.Gate.Release();
        }
    }

    /// <summary>How long the bucket takes to refill <paramref name="microTokens"/> at <paramref name="perSecond"/>.</summary>
    private static TimeSpan MillisecondsFor(long microTokens, double perSecond) =>
        TimeSpan.FromMilliseconds(Math.Ceiling(Math.Max(microTokens, 0) / (perSecond * 1000)));

    /// <summary>A node's view of one shared bucket: the tokens it leased, and the bucket as its last lease left it.</summary>
    private sealed class Bucket
    {
        private readonly Lock _state = new();
        private int _tokens;
        private DateTimeOffset _tokensExpire;
        private DateTimeOffset _emptyUntil;
        private long _sharedMicroTokens;
        private DateTimeOffset _seenAt;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        /// <summary>Takes a leased token, or refuses while the bucket is known to be empty; null when a lease must be asked for.</summary>
        public RateDecision? TryDecide(DateTimeOffset now, double perSecond, int burst)
        {
            lock (_state)
            {
                if (_tokens > 0 && now < _tokensExpire)
                {
                    _tokens--;
                    return Decision(true, now, perSecond, burst);
                }

                return now < _emptyUntil ? Decision(false, now, perSecond, burst) : null;
            }
        }

        /// <summary>Keeps what a lease gave (one token of it for this request) or, when it gave none, when the next is due.</summary>
        public RateDecision Leased(RateLease lease, DateTimeOffset now, double perSecond, int burst)
        {
            lock (_state)
            {
                (_sharedMicroTokens, _seenAt) = (lease.MicroTokensLeft, now);
                if (lease.Granted > 0)
                {
                    (_tokens, _tokensExpire) = (lease.Granted - 1, now + LeaseLifetime);
                    return Decision(true, now, perSecond, burst);
                }

                _emptyUntil = now + MillisecondsFor(1_000_000 - lease.MicroTokensLeft, perSecond);
                return Decision(false, now, perSecond, burst);
            }
        }

        private RateDecision Decision(bool allowed, DateTimeOffset now, double perSecond, int burst)
        {
            var cap = burst * 1_000_000L;
            var refilled = _sharedMicroTokens + (long)((now - _seenAt).TotalMilliseconds * perSecond * 1000);
            var shared = Math.Min(cap, Math.Max(refilled, 0));
            var local = now < _tokensExpire ? _tokens : 0;
            var remaining = (int)Math.Min(burst, local + (shared / 1_000_000));
            return new RateDecision(
                allowed, remaining, MillisecondsFor(cap - shared - (local * 1_000_000L), perSecond), allowed ? TimeSpan.Zero : _emptyUntil - now);
        }
    }
}
