namespace Seedgate.Client;

/// <summary>How a <see cref="SeedgateClient"/> reaches and talks to a Seedgate server.</summary>
public sealed class SeedgateClientOptions
{
    /// <summary>
    /// The server, e.g. <c>http://127.0.0.1:8080</c>. A path prefix is kept; a base that already ends in <c>/api/v3</c>
    /// (the way Ark SDKs are configured) is accepted too.
    /// </summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>The API key, sent as <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public required string ApiKey { get; init; }

    /// <summary>The clock for delays and timeouts; <see cref="TimeProvider.System"/> when not set.</summary>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>
    /// How many times a call that failed transiently (429, 5xx, network) is retried, with exponential backoff, jitter
    /// and <c>Retry-After</c>. Applies to reads, to waits, and to creates that carry an idempotency key. Default 6.
    /// </summary>
    public int MaxRetries { get; init; } = 6;

    /// <summary>The first backoff delay; it doubles on each retry up to <see cref="MaxRetryDelay"/>. Default 0.5 s.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest delay between retries, including one asked for by <c>Retry-After</c>. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Called before each retry wait, e.g. to log it or to tell a waiting user. Runs on the calling thread; keep it short.</summary>
    public Action<RetryEvent>? OnRetry { get; init; }

    /// <summary>
    /// How long each long-poll of <see cref="SeedgateClient.WaitForCompletionAsync"/> asks the server to hold (<c>?wait=</c>,
    /// at most 60 s). Default 30 s; shorter values give more frequent progress snapshots.
    /// </summary>
    public TimeSpan LongPollWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The shortest time between two polls of <see cref="SeedgateClient.WaitForCompletionAsync"/>, so that a server that
    /// does not hold long-polls (such as real Ark) is not polled in a tight loop. Default 2 s.
    /// </summary>
    public TimeSpan MinPollInterval { get; init; } = TimeSpan.FromSeconds(2);
}
