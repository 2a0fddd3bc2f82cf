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
        await bucket.Gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (bucket.Tokens > 0 && now < bucket.TokensExpire)
            {
                bucket.Tokens--;
                return bucket.Decision(true, now, perSecond, burst);
            }

            if (now < bucket.EmptyUntil)
            {
                return bucket.Decision(false, now, perSecond, burst);
            }

            var want = Math.Clamp((int)Math.Ceiling(perSecond * LeaseShare.TotalSeconds), 1, burst);
            var lease = await store.LeaseRateTokensAsync(accountId, bucketClass, perSecond, burst, want, now, cancellationToken);
            (bucket.SharedMicroTokens, bucket.SeenAt) = (lease.MicroTokensLeft, now);
            if (lease.Granted > 0)
            {
                (bucket.Tokens, bucket.TokensExpire) = (lease.Granted - 1, now + LeaseLifetime);
                return bucket.Decision(true, now, perSecond, burst);
            }

            bucket.EmptyUntil = now + MillisecondsFor(1_000_000 - lease.MicroTokensLeft, perSecond);
            return bucket.Decision(false, now, perSecond, burst);
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
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public int Tokens { get; set; }
        public DateTimeOffset TokensExpire { get; set; }
        public DateTimeOffset EmptyUntil { get; set; }
        public long SharedMicroTokens { get; set; }
        public DateTimeOffset SeenAt { get; set; }

        public RateDecision Decision(bool allowed, DateTimeOffset now, double perSecond, int burst)
        {
            var cap = burst * 1_000_000L;
            var refilled = SharedMicroTokens + (long)((now - SeenAt).TotalMilliseconds * perSecond * 1000);
            var shared = Math.Min(cap, Math.Max(refilled, 0));
            var local = now < TokensExpire ? Tokens : 0;
            var remaining = (int)Math.Min(burst, local + (shared / 1_000_000));
            return new RateDecision(
                allowed, remaining, MillisecondsFor(cap - shared - (local * 1_000_000L), perSecond), allowed ? TimeSpan.Zero : EmptyUntil - now);
        }
    }
}
