using Microsoft.Extensions.Logging;

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
    /// How long each long-poll of <see cref="SeedgateClient.WaitAsync"/> asks the server to hold (<c>?wait=</c>,
    /// at most 60 s). Default 30 s; shorter values give more frequent progress snapshots.
    /// </summary>
    public TimeSpan LongPollWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Against a server that does not hold long-polls (real Ark, resellers): the pause before the second check of
    /// <see cref="SeedgateClient.WaitAsync"/>; it grows by half after each check up to <see cref="MaxPollInterval"/>, with
    /// ±20 % jitter, and a <c>Retry-After</c> on the answer replaces it. Default 5 s. Against a long-polling server it is
    /// only a floor between two asks (at most 1 s).
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest pause between two checks of <see cref="SeedgateClient.WaitAsync"/>. Default 30 s.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether <see cref="SeedgateClient.CreateTaskAsync"/> first checks the request with the server's own rules
    /// (<see cref="SeedgateClient.PreflightAsync"/>) and raises a broken one as an <see cref="InvalidRequestException"/>
    /// without sending anything. Default true; a model the SDK's catalog does not know is always left to the server.
    /// </summary>
    public bool Preflight { get; init; } = true;

    /// <summary>
    /// Receives one record per job that <see cref="SeedgateClient.GenerateAsync"/> finished (or gave up on): task id,
    /// correlation id, input hash, output URL, estimated and actual cost and the wall time from submit to terminal.
    /// <see langword="null"/>: no log.
    /// </summary>
    public ILogger? Logger { get; init; }
}
