using System.Text.Json.Nodes;

namespace Seedgate.Client;

/// <summary>An account (tenant) as the admin API shows it.</summary>
public sealed record AdminAccount
{
    /// <summary>The account id: lowercase letters, digits, '-' and '_'.</summary>
    public string Id { get; init; } = "";

    /// <summary>The account's display name.</summary>
    public string Name { get; init; } = "";

    /// <summary>The name of the plan (configured on the server as <c>Seedgate:Plans:{name}</c>) the account works under.</summary>
    public string Plan { get; init; } = "";

    /// <summary>The plan fields the account sets for itself, in snake_case (e.g. <c>{"max_in_progress":10}</c>).</summary>
    public JsonObject Overrides { get; init; } = [];

    /// <summary>The plan with the overrides on top: what the account's limits are.</summary>
    public AdminAccountPlan EffectivePlan { get; init; } = new();

    /// <summary>When the account was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the account last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The account's money this month; only in <see cref="SeedgateAdminClient.GetAccountAsync"/>'s answer.</summary>
    public AccountBalance? Balance { get; init; }
}

/// <summary>The limits an account works under (every field concrete).</summary>
public sealed record AdminAccountPlan
{
    /// <summary>Creates per second, cluster-wide.</summary>
    public double Qps { get; init; }

    /// <summary>How many creates may come at once after a quiet spell.</summary>
    public int Burst { get; init; }

    /// <summary>Reads per second, cluster-wide.</summary>
    public double PollQps { get; init; }

    /// <summary>How many reads may come at once after a quiet spell.</summary>
    public int PollBurst { get; init; }

    /// <summary>Tasks running at once.</summary>
    public int MaxInProgress { get; init; }

    /// <summary>What a submit beyond <see cref="MaxInProgress"/> gets: <c>queue</c> or <c>reject</c>.</summary>
    public string Overflow { get; init; } = "";

    /// <summary>Tasks waiting for a slot, at most.</summary>
    public int MaxQueued { get; init; }

    /// <summary>Fast-tier successes free each calendar month (UTC).</summary>
    public int FreeFastPerMonth { get; init; }

    /// <summary>The most the account may spend in a calendar month, or <see langword="null"/>: no cap.</summary>
    public decimal? MonthlyBudgetUsd { get; init; }

    /// <summary>The account's share when capacity is divided.</summary>
    public int Weight { get; init; }

    /// <summary>The highest priority the account may ask for (0–9).</summary>
    public int MaxPriority { get; init; }

    /// <summary>Whether reference images under the model's minimum side are scaled up (instead of refused with a 400).</summary>
    public bool UpscaleSmallImages { get; init; }
}

/// <summary>A new account.</summary>
public sealed record CreateAccountRequest
{
    /// <summary>The id (1–64 lowercase letters, digits, '-', '_'); <see langword="null"/> lets the server make one (<c>acct-…</c>).</summary>
    public string? Id { get; init; }

    /// <summary>The display name (required).</summary>
    public required string Name { get; init; }

    /// <summary>The plan's name; <see langword="null"/>: <c>default</c>.</summary>
    public string? Plan { get; init; }

    /// <summary>Plan fields the account sets for itself, in snake_case (e.g. <c>{"max_in_progress":10,"overflow":"reject"}</c>).</summary>
    public JsonObject? Overrides { get; init; }
}

/// <summary>Changes to an account; what is <see langword="null"/> stays as it is.</summary>
public sealed record UpdateAccountRequest
{
    /// <summary>A new display name.</summary>
    public string? Name { get; init; }

    /// <summary>Another plan, by name.</summary>
    public string? Plan { get; init; }

    /// <summary>
    /// A JSON merge patch of the overrides: a field with a value sets that override, a field set to JSON null removes it
    /// (the plan's value applies again), fields left out stay.
    /// </summary>
    public JsonObject? Overrides { get; init; }

    /// <summary>Removes every override (applied before <see cref="Overrides"/>, which must then be <see langword="null"/>).</summary>
    public bool ClearOverrides { get; init; }
}

/// <summary>An API key as listed: never the key, never its hash.</summary>
public sealed record AdminApiKey
{
    /// <summary>The key's id (<c>key-…</c>), to revoke it by.</summary>
    public string Id { get; init; } = "";

    /// <summary>The account the key belongs to.</summary>
    public string AccountId { get; init; } = "";

    /// <summary>The key's label.</summary>
    public string Name { get; init; } = "";

    /// <summary>The key's first characters, to recognise it.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>When the key was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the key was revoked, or <see langword="null"/>: it works.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>In <see cref="SeedgateAdminClient.RevokeKeyAsync"/>'s answer: whether the key had been revoked before the call.</summary>
    public bool? AlreadyRevoked { get; init; }
}

/// <summary>A new API key, with the key itself: the only time it is shown.</summary>
public sealed record AdminCreatedKey
{
    /// <summary>The key's id (<c>key-…</c>).</summary>
    public string Id { get; init; } = "";

    /// <summary>The key (<c>sg-…</c>), sent as <c>Authorization: Bearer</c>. Store it now: the server keeps only its hash.</summary>
    public string Key { get; init; } = "";

    /// <summary>The account the key belongs to.</summary>
    public string AccountId { get; init; } = "";

    /// <summary>The key's label.</summary>
    public string Name { get; init; } = "";

    /// <summary>The key's first characters, as listings show them.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>When the key was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A credit entry in the ledger, and the account's balance right after it.</summary>
public sealed record AdminCredit
{
    /// <summary>The ledger entry's id.</summary>
    public long EntryId { get; init; }

    /// <summary>The account credited.</summary>
    public string AccountId { get; init; } = "";

    /// <summary>The amount in micro-dollars (negative: an adjustment).</summary>
    public long AmountMicros { get; init; }

    /// <summary>The note given with it.</summary>
    public string? Note { get; init; }

    /// <summary>When the entry was made.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The account's balance (credits less every charge) after the entry, in micro-dollars.</summary>
    public long BalanceMicros { get; init; }
}

/// <summary><c>{"items":[…]}</c> answers.</summary>
internal sealed record AdminItems<T>(IReadOnlyList<T>? Items);

/// <summary>A credit as sent.</summary>
internal sealed record AdminCreditBody(decimal AmountUsd, string? Note);

/// <summary>A key as asked for.</summary>
internal sealed record AdminKeyBody(string Name);
