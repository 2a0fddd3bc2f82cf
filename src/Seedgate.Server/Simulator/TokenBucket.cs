namespace Seedgate.Server.Simulator;

/// <summary>
/// A token bucket of <c>rate</c> tokens a second and a burst of ⌈rate⌉, refilled continuously from the injected clock.
/// Hand-written rather than System.Threading.RateLimiting's: that one refills on its own timer in whole periods (a
/// fractional rate such as 0.5/s needs a 2 s period, and its bursts then come at period edges) and cannot take a
/// TimeProvider, while an upstream's limiter is smooth and the Retry-After it reports should be exact.
/// </summary>
internal sealed class TokenBucket
{
    private readonly Lock _lock = new();
    private readonly double _rate;
    private readonly double _burst;
    private readonly TimeProvider _time;
    private double _tokens;
    private long _stamp;

    public TokenBucket(double rate, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        _rate = rate;
        _burst = Math.Ceiling(rate);
        _time = time;
        _tokens = _burst;
        _stamp = time.GetTimestamp();
    }

    /// <summary>Takes a token; when none is left, says how long until one is.</summary>
    public bool TryTake(out TimeSpan retryAfter)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_stamp, now).TotalSeconds * _rate));
            _stamp = now;
            if (_tokens >= 1)
            {
                _tokens -= 1;
                retryAfter = TimeSpan.Zero;
                return true;
            }

            retryAfter = TimeSpan.FromSeconds((1 - _tokens) / _rate);
            return false;
        }
    }
}
