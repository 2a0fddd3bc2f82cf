namespace Seedgate.Server.Hosting;

/// <summary>Gateway settings (configuration section Seedgate).</summary>
public sealed class SeedgateOptions
{
    /// <summary>Where the SQLite file, blobs and scratch space live.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// This node's name in leases; by default one is made once and kept in the data directory, so give every node
    /// its own data directory (or its own NodeId).
    /// </summary>
    public string? NodeId { get; set; }

    /// <summary>
    /// The absolute base of download links (e.g. https://video.example.com). When unset, links use the request's Host
    /// header if it is one of <see cref="AllowedHosts"/>, else the address the request came in on.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Host names ("video.example.com", "*.example.com"; ports are not compared) download links may name.</summary>
    public IList<string> AllowedHosts { get; } = [];

    /// <summary>A catalog JSON file that replaces the shipped catalog.</summary>
    public string? CatalogPath { get; set; }

    /// <summary>How long a signed download link stays valid.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long an Idempotency-Key maps to its task (the same key and request return that task meanwhile).</summary>
    public TimeSpan IdempotencyKeyLifetime { get; set; } = Core.Jobs.IdempotencyKeys.DefaultLifetime;

    /// <summary>
    /// Whether plans are enforced and money is kept: rate limits, the tasks-in-progress cap, budgets, the ledger and
    /// the free quota. Off only for a trusted single-tenant install (and the benchmark's baseline).
    /// </summary>
    public bool Policies { get; set; } = true;

    /// <summary>The longest long-poll (?wait=N) a caller may ask for, in seconds.</summary>
    public int MaxWaitSeconds { get; set; } = 60;
}
