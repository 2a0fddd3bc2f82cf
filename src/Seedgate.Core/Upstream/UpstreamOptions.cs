namespace Seedgate.Core.Upstream;

/// <summary>
/// One upstream provider account (configuration <c>Seedgate:Upstreams:{name}</c>): where it is, its key, the limits
/// Seedgate keeps on it cluster-wide, and which catalog models it serves under which upstream model ids.
/// </summary>
public sealed class UpstreamAccountOptions
{
    /// <summary>The protocol; only <c>ark</c> (BytePlus ModelArk / Volcano Engine Ark) exists.</summary>
    public string Kind { get; set; } = UpstreamKinds.Ark;

    /// <summary>The API base, e.g. <see cref="UpstreamKinds.BytePlusBaseUrl"/> or <see cref="UpstreamKinds.VolcanoBaseUrl"/>.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>The environment variable that holds the API key (keys are never configuration values).</summary>
    public string ApiKeyVariable { get; set; } = "ARK_API_KEY";

    /// <summary>Every request to the account (creates, polls, cancels) counts against this rate.</summary>
    public double RequestsPerSecond { get; set; } = 2;

    /// <summary>Tasks queued or running upstream at once (the seeds: 3 during the beta).</summary>
    public int TasksInFlight { get; set; } = 3;

    /// <summary>Failover order among the accounts that serve a model: lower first.</summary>
    public int Order { get; set; }

    /// <summary>
    /// Catalog model id → upstream model id. Empty: the defaults for the host (<see cref="UpstreamModels"/>): BytePlus's
    /// <c>dreamina-…</c> ids, Volcano's <c>doubao-…</c> ids.
    /// </summary>
    public Dictionary<string, string> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long one request may take before it counts as lost (a create then is reconciled, never resent blind).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>What all upstream accounts share (configuration <c>Seedgate:Upstream</c>).</summary>
public sealed class UpstreamOptions
{
    /// <summary>
    /// Whether upstream tasks are created with a callback URL when the gateway has a public base URL
    /// (<c>Seedgate:PublicBaseUrl</c>): status then comes by callback (a secret token in the URL; Ark signs nothing),
    /// polls being only a safety net. Without one, status comes by adaptive polling.
    /// </summary>
    public bool Callbacks { get; set; } = true;

    /// <summary>The shortest time between two status requests for one task (callbacks or not).</summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest time between two status requests for one task while no callback is expected.</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>With callbacks: how long past its expected end a task waits for one before it is polled.</summary>
    public TimeSpan CallbackGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long past a lost create's request timeout the upstream may still be taking it in: only after that, with no
    /// task of the job's seed found upstream, is the job created again.
    /// </summary>
    public TimeSpan ReconcileMargin { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an account that answered overloaded (429, 503) is passed over when another serves the model.</summary>
    public TimeSpan Cooldown { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Names and defaults of the upstream kinds.</summary>
public static class UpstreamKinds
{
    public const string Ark = "ark";

    /// <summary>BytePlus ModelArk (international).</summary>
    public const string BytePlusBaseUrl = "https://ark.ap-southeast.bytepluses.com/api/v3";

    /// <summary>Volcano Engine Ark (mainland China).</summary>
    public const string VolcanoBaseUrl = "https://ark.cn-beijing.volces.com/api/v3";
}

/// <summary>The upstream model ids of the catalog's models, by provider (reference §1.7).</summary>
public static class UpstreamModels
{
    private static readonly Dictionary<string, string> BytePlus = new(StringComparer.Ordinal)
    {
        ["seedance-2.0"] = "dreamina-seedance-2-0-260128",
        ["seedance-2.0-fast"] = "dreamina-seedance-2-0-fast-260128",
        ["seedance-2.0-i2v"] = "dreamina-seedance-2-0-260128",
        ["seedance-2.0-fast-i2v"] = "dreamina-seedance-2-0-fast-260128",
        ["seedance-2.0-v2v"] = "dreamina-seedance-2-0-260128",
        ["seedance-2.0-fast-v2v"] = "dreamina-seedance-2-0-fast-260128",
        ["seedance-2.0-mini"] = "dreamina-seedance-2-0-mini-260615",
        ["seedance-2.5"] = "dreamina-seedance-2-5-260628",
    };

    private static readonly Dictionary<string, string> Volcano = new(StringComparer.Ordinal)
    {
        ["seedance-2.0"] = "doubao-seedance-2-0-260128",
        ["seedance-2.0-fast"] = "doubao-seedance-2-0-fast-260128",
        ["seedance-2.0-i2v"] = "doubao-seedance-2-0-260128",
        ["seedance-2.0-fast-i2v"] = "doubao-seedance-2-0-fast-260128",
        ["seedance-2.0-v2v"] = "doubao-seedance-2-0-260128",
        ["seedance-2.0-fast-v2v"] = "doubao-seedance-2-0-fast-260128",
        ["seedance-2.0-mini"] = "doubao-seedance-2-0-mini-260615",
    };

    /// <summary>The default map for a base URL: Volcano's ids for a volces.com host, BytePlus's otherwise.</summary>
    public static IReadOnlyDictionary<string, string> DefaultsFor(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        return baseUrl.Host.EndsWith("volces.com", StringComparison.OrdinalIgnoreCase) ? Volcano : BytePlus;
    }
}
