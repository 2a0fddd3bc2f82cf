using System.Text.Json;
using System.Text.Json.Serialization;

namespace Seedgate.Client;

/// <summary>How <see cref="SeedgateClient.GetUsageAsync"/> splits its period (<c>group_by</c>).</summary>
public enum UsageGroupBy
{
    /// <summary>By model id.</summary>
    Model,

    /// <summary>By UTC calendar day, keys like <c>2026-12-01</c>.</summary>
    Day,

    /// <summary>By ISO 8601 week (UTC), keys like <c>2026-W49</c>.</summary>
    Week,
}

/// <summary>
/// The caller's usage over [<see cref="From"/>, <see cref="To"/>) as <c>GET /v1/usage</c> derives it from Seedgate's
/// ledger: a task counts where its money settled (where it ended), an unfinished one where it was submitted. Amounts are
/// exact integer micro-dollars.
/// </summary>
public sealed record AccountUsage
{
    /// <summary>The account the API key belongs to.</summary>
    public string? AccountId { get; init; }

    /// <summary>The start of the period (included).</summary>
    public DateTimeOffset From { get; init; }

    /// <summary>The end of the period (excluded).</summary>
    public DateTimeOffset To { get; init; }

    /// <summary>How <see cref="Groups"/> are split: <c>model</c>, <c>day</c> or <c>week</c>.</summary>
    public string? GroupBy { get; init; }

    /// <summary>The whole period.</summary>
    public UsageGroup Total { get; init; } = new();

    /// <summary>One per group with activity, ordered by key (days and weeks oldest first).</summary>
    public IReadOnlyList<UsageGroup> Groups { get; init; } = [];

    /// <summary>The cost per task of each model, whatever the grouping: where a model grows dear.</summary>
    public IReadOnlyList<CostPerJobGroup> CostPerJobByModel { get; init; } = [];

    /// <summary>The cost per task of each ISO week, whatever the grouping: the slope of cost, not just its total.</summary>
    public IReadOnlyList<CostPerJobGroup> CostPerJobByWeek { get; init; } = [];

    /// <summary>Fields this SDK does not model, kept so that nothing the server sends is lost.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>The figures of one group of a usage report, or of its total.</summary>
public sealed record UsageGroup
{
    /// <summary>The model, day or week; <see langword="null"/> for the total.</summary>
    public string? Key { get; init; }

    /// <summary>Tasks by outcome.</summary>
    public UsageJobCounts Jobs { get; init; } = new();

    /// <summary>Seconds of video the successes made.</summary>
    public decimal OutputSeconds { get; init; }

    /// <summary>What the account was charged (successes, and content-policy fees on failures).</summary>
    public long CostMicros { get; init; }

    /// <summary>Successes charged nothing because the monthly free quota covered them.</summary>
    public int FreeQuotaJobs { get; init; }

    /// <summary>P50 / P95 cost of a paid success.</summary>
    public CostPerJob CostPerJob { get; init; } = new();
}

/// <summary>Tasks by outcome; <see cref="Open"/> ones have not finished.</summary>
public sealed record UsageJobCounts
{
    /// <summary>Every task counted.</summary>
    public int Total { get; init; }

    /// <summary>Tasks that succeeded.</summary>
    public int Succeeded { get; init; }

    /// <summary>Tasks that failed.</summary>
    public int Failed { get; init; }

    /// <summary>Tasks cancelled while queued.</summary>
    public int Cancelled { get; init; }

    /// <summary>Tasks that expired before they finished.</summary>
    public int Expired { get; init; }

    /// <summary>Tasks still queued or running.</summary>
    public int Open { get; init; }
}

/// <summary>
/// Percentiles of what a paid success cost, by nearest rank (the value at rank ⌈p/100 · n⌉ of the n costs in ascending
/// order); successes the free quota covered are left out. <see langword="null"/> when there were none.
/// </summary>
public sealed record CostPerJob
{
    /// <summary>How many paid successes the percentiles are taken over.</summary>
    public int Jobs { get; init; }

    /// <summary>The median cost.</summary>
    public long? P50Micros { get; init; }

    /// <summary>The 95th-percentile cost.</summary>
    public long? P95Micros { get; init; }
}

/// <summary>The cost per task of one model or one ISO week.</summary>
public sealed record CostPerJobGroup
{
    /// <summary>The model id, or the week (<c>2026-W49</c>).</summary>
    public string? Key { get; init; }

    /// <summary>Its P50 / P95 cost of a paid success.</summary>
    public CostPerJob CostPerJob { get; init; } = new();
}
