using System.Collections.Concurrent;

namespace Seedgate.Core.Upstream;

/// <summary>
/// How long an upstream account's tasks of a model took lately (a moving average this node keeps): adaptive polling
/// looks near a task's expected end instead of on a fixed clock, which saves upstream requests.
/// </summary>
public sealed class UpstreamLatencies
{
    private const double Weight = 0.3; // of the newest observation

    private readonly ConcurrentDictionary<(string Upstream, string Model), double> _seconds = new();

    public void Observe(string upstream, string model, TimeSpan took)
    {
        var seconds = Math.Max(0.05, took.TotalSeconds);
        _seconds.AddOrUpdate((upstream, model), seconds, (_, old) => ((1 - Weight) * old) + (Weight * seconds));
    }

    /// <summary>The expected time from create to end, or null before any task of the model ended here.</summary>
    public TimeSpan? Expected(string upstream, string model) =>
        _seconds.TryGetValue((upstream, model), out var seconds) ? TimeSpan.FromSeconds(seconds) : null;
}

/// <summary>
/// Where the upstream reports a job's status changes: a URL under the gateway's public base with a secret token, or
/// none (status comes by polls). The server implements it (it owns the secret and the endpoint).
/// </summary>
public interface IUpstreamCallbacks
{
    bool Enabled { get; }

    /// <summary>The callback URL for a job's upstream task, or null when callbacks are off.</summary>
    Uri? UrlFor(string jobId);
}

/// <summary>No public URL: status comes by polls.</summary>
public sealed class NoUpstreamCallbacks : IUpstreamCallbacks
{
    public bool Enabled => false;

    public Uri? UrlFor(string jobId) => null;
}

/// <summary>The <see cref="ArkClient"/> of an upstream account, on its named HTTP client (see <see cref="UpstreamServiceCollectionExtensions"/>).</summary>
public sealed class ArkClients(IHttpClientFactory httpClients, TimeProvider time)
{
    public ArkClient For(UpstreamLane lane)
    {
        ArgumentNullException.ThrowIfNull(lane);
        return new ArkClient(httpClients.CreateClient(ClientName(lane.Name)), lane, time);
    }

    public static string ClientName(string upstream) => "Seedgate.Upstream." + upstream;
}
