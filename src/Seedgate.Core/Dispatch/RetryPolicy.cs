using Microsoft.Extensions.Options;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Dispatch;

/// <summary>
/// When a transiently failed job is tried again: exponential backoff with ±20 % jitter, bounded by
/// <see cref="DispatchOptions.MaxAttempts"/> and by the job's expiry.
/// </summary>
internal sealed class RetryPolicy(IOptions<DispatchOptions> options)
{
    private readonly DispatchOptions _options = options.Value;

    /// <summary>
    /// When to try again (not before <paramref name="notBefore"/>, an upstream's Retry-After), or null when the job has
    /// had its last attempt (or would expire first).
    /// </summary>
    public DateTimeOffset? NextAttempt(Job job, DateTimeOffset now, TimeSpan? notBefore = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        var backoff = Backoff(job.Attempts);
        var retryAt = now + (notBefore > backoff ? notBefore.Value : backoff);
        return job.Attempts < _options.MaxAttempts && retryAt < job.ExpiresAt ? retryAt : null;
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _options.RetryBaseDelay * Math.Pow(2, Math.Max(0, attempt - 1));
        var capped = exponential < _options.RetryMaxDelay ? exponential : _options.RetryMaxDelay;
#pragma warning disable CA5394 // Jitter needs no cryptographic randomness.
        return capped * (0.8 + (0.4 * Random.Shared.NextDouble()));
#pragma warning restore CA5394
    }
}
