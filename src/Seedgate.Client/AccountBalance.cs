using System.Text.Json;
using System.Text.Json.Serialization;

namespace Seedgate.Client;

/// <summary>
/// The caller's money as <c>GET /v1/balance</c> derives it from Seedgate's ledger. Amounts are exact integer
/// micro-dollars (millionths of a US dollar); divide by 1,000,000 for dollars.
/// </summary>
public sealed record AccountBalance
{
    /// <summary>The account the API key belongs to.</summary>
    public string? AccountId { get; init; }

    /// <summary>The start (UTC) of the calendar month that <see cref="ChargedMicros"/> and the free quota count.</summary>
    public DateTimeOffset? PeriodStart { get; init; }

    /// <summary>What the account was charged this month.</summary>
    public long ChargedMicros { get; init; }

    /// <summary>What the account's unfinished tasks hold now (their estimates).</summary>
    public long ReservedMicros { get; init; }

    /// <summary>The monthly budget; <see langword="null"/> when there is none.</summary>
    public long? BudgetMicros { get; init; }

    /// <summary>The budget less this month's charges and holds (never below 0); <see langword="null"/> without a budget.</summary>
    public long? BudgetLeftMicros { get; init; }

    /// <summary>Fast-tier successes made free this month.</summary>
    public int FreeFastUsed { get; init; }

    /// <summary>Fast-tier successes still free this month.</summary>
    public int FreeFastLeft { get; init; }

    /// <summary>Every credit (top-ups less adjustments) the account was given.</summary>
    public long CreditMicros { get; init; }

    /// <summary>Credits less every charge the account ever had.</summary>
    public long BalanceMicros { get; init; }

    /// <summary>Fields this SDK does not model (the dollar figures among them), kept so that nothing the server sends is lost.</summary>
    [JsonExtensionData]
    public IDictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
