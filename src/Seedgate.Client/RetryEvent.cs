namespace Seedgate.Client;

/// <summary>A transient failure that is about to be retried (see <see cref="SeedgateClientOptions.OnRetry"/>).</summary>
/// <param name="Attempt">The retry about to be made: 1 for the first retry.</param>
/// <param name="MaxRetries">How many retries are allowed in all.</param>
/// <param name="Delay">How long the client waits before it (backoff with jitter, or the server's <c>Retry-After</c>).</param>
/// <param name="Reason">What failed: a <see cref="SeedgateApiException"/> (429, 5xx), an <see cref="HttpRequestException"/> or a timeout.</param>
public sealed record RetryEvent(int Attempt, int MaxRetries, TimeSpan Delay, Exception Reason);
