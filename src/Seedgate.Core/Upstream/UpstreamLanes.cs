using System.Collections.Concurrent;
using Seedgate.Core.Catalog;

namespace Seedgate.Core.Upstream;

/// <summary>One configured upstream account as the scheduler and the engine use it.</summary>
/// <param name="Name">Its configuration name; jobs and upstream task rows carry it.</param>
/// <param name="Models">Catalog model id → the upstream's model id.</param>
public sealed record UpstreamLane(
    string Name,
    Uri BaseUrl,
    string ApiKey,
    double RequestsPerSecond,
    int TasksInFlight,
    int Order,
    IReadOnlyDictionary<string, string> Models,
    TimeSpan RequestTimeout)
{
    /// <summary>The bucket of the cluster-wide request rate of this account (in the accounts' rate table).</summary>
    public string RateBucket => "upstream:" + Name;
}

/// <summary>
/// The configured upstream accounts, and which of them this node passes over for a while because they answered
/// overloaded (failover to another account that serves the model). The engine name every upstream route uses is
/// <see cref="UpstreamKinds.Ark"/>.
/// </summary>
public sealed class UpstreamLanes
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _coolingUntil = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UpstreamLane> _byName;

    public UpstreamLanes(IReadOnlyList<UpstreamLane> lanes)
    {
        ArgumentNullException.ThrowIfNull(lanes);
        All = [.. lanes.OrderBy(l => l.Order).ThenBy(l => l.Name, StringComparer.Ordinal)];
        _byName = All.ToDictionary(l => l.Name, StringComparer.Ordinal);
    }

    /// <summary>Every account, in failover order.</summary>
    public IReadOnlyList<UpstreamLane> All { get; }

    /// <summary>The engines whose jobs take upstream slots.</summary>
    public static IReadOnlyList<string> Engines { get; } = [UpstreamKinds.Ark];

    public UpstreamLane? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The accounts that serve a catalog model, in failover order.</summary>
    public IEnumerable<UpstreamLane> Serving(string modelId) => All.Where(l => l.Models.ContainsKey(modelId));

    /// <summary>Whether this node passes the account over now (it answered overloaded a moment ago).</summary>
    public bool IsCooling(string name, DateTimeOffset now) => _coolingUntil.TryGetValue(name, out var until) && now < until;

    /// <summary>Passes the account over until then, for new submissions, where another account serves the model.</summary>
    public void CoolDown(string name, DateTimeOffset until) => _coolingUntil[name] = until;

    /// <summary>
    /// Reads <c>Seedgate:Upstreams:{name}</c> sections; a wrong value stops the start with a message naming its key.
    /// <paramref name="apiKeys"/> reads an environment variable.
    /// </summary>
    public static UpstreamLanes From(
        IReadOnlyDictionary<string, UpstreamAccountOptions> accounts, ModelCatalog catalog, Func<string, string?> apiKeys)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(apiKeys);
        var lanes = new List<UpstreamLane>();
        foreach (var (name, account) in accounts)
        {
            var key = $"Seedgate:Upstreams:{name}";
            if (!string.Equals(account.Kind, UpstreamKinds.Ark, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{key}:Kind must be '{UpstreamKinds.Ark}' (the only upstream protocol), not '{account.Kind}'.");
            }

            if (!Uri.TryCreate(account.BaseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            {
                throw new InvalidOperationException($"{key}:BaseUrl must be an http(s) URL such as {UpstreamKinds.BytePlusBaseUrl}.");
            }

            var apiKey = apiKeys(account.ApiKeyVariable);
            if (string.IsNullOrWhiteSpace(apiKey))
            {
                throw new InvalidOperationException($"{key}: the environment variable {account.ApiKeyVariable} (ApiKeyVariable) holds no API key.");
            }

            if (account.RequestsPerSecond is not (> 0 and <= 1000))
            {
                throw new InvalidOperationException($"{key}:RequestsPerSecond must be above 0 (at most 1000).");
            }

            if (account.TasksInFlight is < 1 or > 10_000)
            {
                throw new InvalidOperationException($"{key}:TasksInFlight must be 1–10000.");
            }

            if (account.RequestTimeout < TimeSpan.FromSeconds(1))
            {
                throw new InvalidOperationException($"{key}:RequestTimeout must be at least 1 second.");
            }

            var models = account.Models.Count > 0 ? account.Models : UpstreamModels.DefaultsFor(baseUrl);
            var served = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (model, upstreamId) in models)
            {
                var spec = catalog.Find(model);
                if (spec is null)
                {
                    if (account.Models.Count > 0)
                    {
                        throw new InvalidOperationException($"{key}:Models:{model}: the catalog has no such model.");
                    }

                    continue; // a default for a model this catalog does not have
                }

                served[spec.Id] = upstreamId;
            }

            lanes.Add(new UpstreamLane(name, baseUrl, apiKey.Trim(), account.RequestsPerSecond, account.TasksInFlight, account.Order, served, account.RequestTimeout));
        }

        return new UpstreamLanes(lanes);
    }
}
