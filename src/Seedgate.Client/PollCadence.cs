namespace Seedgate.Client;

/// <summary>
/// When <see cref="SeedgateClient.WaitAsync"/> asks again. A server that holds <c>?wait=</c> long-polls (Seedgate says so
/// with <c>Seedgate-Max-Wait</c>) is asked again at once, never sooner than a second after the last ask; any other
/// server (real Ark, a reseller) on the seeds' cadence: <see cref="SeedgateClientOptions.PollInterval"/> growing by half
/// each time to <see cref="SeedgateClientOptions.MaxPollInterval"/>, ±20 % jitter, or the server's own <c>Retry-After</c>.
/// </summary>
internal sealed class PollCadence(SeedgateClientOptions options)
{
    private static readonly TimeSpan LongPollFloor = TimeSpan.FromSeconds(1);
    private TimeSpan next = options.PollInterval;

    /// <summary>How long to pause after an answer that took <paramref name="spent"/>.</summary>
    public TimeSpan After(TimeSpan spent, bool serverHeld, TimeSpan? retryAfter)
    {
        if (serverHeld)
        {
            var floor = options.PollInterval < LongPollFloor ? options.PollInterval : LongPollFloor;
            return spent < floor ? floor - spent : TimeSpan.Zero;
        }

        var delay = retryAfter is { } asked && asked > TimeSpan.Zero ? asked : SeedgateTransport.Jittered(next);
        var grown = next * 1.5;
        next = grown > options.MaxPollInterval ? options.MaxPollInterval : grown;
        return delay > options.MaxPollInterval ? options.MaxPollInterval : delay;
    }
}
