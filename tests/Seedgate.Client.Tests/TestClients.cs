using Seedgate.Client;
using Seedgate.Testing;

namespace Seedgate.Client.Tests;

internal static class TestClients
{
    /// <summary>A token that ends a hung test after 30 s instead of never.</summary>
    public static CancellationToken Ct => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    public static HttpClient Http() => new(new SocketsHttpHandler()) { Timeout = TimeSpan.FromSeconds(60) };

    public static SeedgateClient For(
        ArkTestServer server, HttpClient http, int maxRetries = 3, TimeSpan? longPoll = null, TimeSpan? pollInterval = null, TimeSpan? maxPollInterval = null, bool preflight = true) =>
        new(http, new SeedgateClientOptions
        {
            BaseAddress = server.BaseAddress,
            ApiKey = "sg-test-key",
            MaxRetries = maxRetries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromSeconds(5),
            LongPollWait = longPoll ?? TimeSpan.FromSeconds(30),
            PollInterval = pollInterval ?? TimeSpan.FromMilliseconds(1),
            MaxPollInterval = maxPollInterval ?? TimeSpan.FromSeconds(30),
            Preflight = preflight,
        });
}
