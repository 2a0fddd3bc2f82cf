using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Seedgate.Core.Accounts;
using Seedgate.Server.Usage;

namespace Seedgate.Server.Admin;

/// <summary>An account: its plan's name, its overrides and the plan it works under with both (every field concrete).</summary>
internal sealed record AccountView(
    string Id,
    string Name,
    string Plan,
    JsonObject Overrides,
    JsonObject EffectivePlan,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] BalanceSummary? Balance = null)
{
    public static AccountView Of(AccountDetails details, BalanceSummary? balance = null)
    {
        ArgumentNullException.ThrowIfNull(details);
        var account = details.Account;
        return new AccountView(
            account.Id, account.Name, account.Plan, Json(details.Overrides), EffectivePlanOf(details.Effective), account.CreatedAt, account.UpdatedAt, balance);
    }

    /// <summary>Every field, the buckets' sizes as they apply (not null for "from the rate") and no budget as null.</summary>
    private static JsonObject EffectivePlanOf(Plan plan)
    {
        var fields = Json(plan with { Burst = plan.CreateBurst, PollBurst = plan.ReadBurst });
        fields.TryAdd("monthly_budget_usd", null);
        return fields;
    }

    private static JsonObject Json(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), PlanJson.Options)!.AsObject();
}

internal sealed record AccountList(IReadOnlyList<AccountView> Items, int Total);

/// <summary>A key as listed: never its hash, never the key. A revocation's answer says whether it was revoked before.</summary>
internal sealed record KeyView(
    string Id,
    string AccountId,
    string Name,
    string Prefix,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] bool? AlreadyRevoked = null)
{
    public static KeyView Of(ApiKeyRecord key, bool? alreadyRevoked = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new KeyView(key.Id, key.AccountId, key.Name, key.Prefix, key.CreatedAt, key.RevokedAt, alreadyRevoked);
    }
}

/// <summary>A new key, with the key itself: the only answer that ever carries it.</summary>
internal sealed record CreatedKeyView(string Id, string Key, string AccountId, string Name, string Prefix, DateTimeOffset CreatedAt);

internal sealed record KeyList(IReadOnlyList<KeyView> Items);

/// <summary>A credit entry and the account's balance after it (credits less every charge).</summary>
internal sealed record CreditView(
    long EntryId, string AccountId, long AmountMicros, decimal? AmountUsd, string? Note, DateTimeOffset CreatedAt, long BalanceMicros, decimal? BalanceUsd)
{
    public static CreditView Of(CreditEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new CreditView(
            entry.EntryId, entry.AccountId, entry.AmountMicros, Usage.AccountApi.Usd(entry.AmountMicros), entry.Note, entry.CreatedAt,
            entry.BalanceMicros, Usage.AccountApi.Usd(entry.BalanceMicros));
    }
}
