using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Seedgate.Core.Generation;

namespace Seedgate.Core.Accounts;

/// <summary>An account as the admin API shows it: the stored row, its overrides read, and the plan it works under.</summary>
public sealed record AccountDetails(Account Account, PlanOverrides Overrides, Plan Effective);

/// <summary>A new account, as the caller asked for it: a null field was not given (a fresh id, the default plan, no overrides).</summary>
/// <param name="Overrides">The plan fields the account sets for itself (a field set to null is the same as one left out).</param>
public sealed record NewAccount(string? Id, string? Name, string? Plan = null, JsonObject? Overrides = null);

/// <summary>Changes to an account, with JSON merge patch semantics: a null field stays as it is.</summary>
/// <param name="Overrides">A merge patch of the overrides: a field with a value sets it, a field set to null removes it.</param>
/// <param name="ClearOverrides">Removes every override first (<c>"overrides": null</c>).</param>
public sealed record AccountChanges(string? Name = null, string? Plan = null, JsonObject? Overrides = null, bool ClearOverrides = false);

/// <summary>A revoked key, and whether it had been revoked before this call (then <see cref="ApiKeyRecord.RevokedAt"/> is the first revocation).</summary>
public sealed record KeyRevocation(ApiKeyRecord Key, bool AlreadyRevoked);

/// <summary>A credit entry in the ledger and the account's balance (credits less every charge) read right after it.</summary>
public sealed record CreditEntry(long EntryId, string AccountId, long AmountMicros, string? Note, DateTimeOffset CreatedAt, long BalanceMicros);

/// <summary>
/// What the admin API does to accounts, keys and credits, with every input checked first: a bad one is an
/// InvalidParameter (or MissingParameter) naming its field, an unknown account or key a NotFound, a taken account id
/// AlreadyExists. Overrides are checked twice: each field against its type, then the plan they make against its ranges
/// (<see cref="Plan.Fault"/>), so no account is ever stored with a plan it cannot work under.
/// </summary>
public sealed class AccountAdministration(IAccountStore store, Plans plans, TimeProvider time)
{
    /// <summary>The longest account id; ids are lowercase letters, digits, '-' and '_'.</summary>
    public const int MaxIdLength = 64;

    /// <summary>The longest account or key name, in UTF-16 code units.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The longest note of a credit.</summary>
    public const int MaxNoteLength = 500;

    /// <summary>The largest credit (or adjustment) one call may make, in dollars: far beyond any top-up, far inside a long of micro-dollars.</summary>
    public const decimal MaxCreditUsd = 1_000_000_000m;

    private const string IdAlphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

    public async Task<AccountDetails> CreateAsync(NewAccount request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = request.Id ?? "acct-" + RandomNumberGenerator.GetString(IdAlphabet, 12);
        CheckId(id);
        var name = CheckName("name", request.Name);
        var planName = CheckPlanName(request.Plan ?? Plans.DefaultName);
        var overrides = request.Overrides is null ? PlanOverrides.None : PlanOverrides.None.Patch(request.Overrides);
        var effective = CheckPlan(planName, overrides);

        var now = Now();
        var account = new Account(id, name, planName, overrides.ToJson(), now, now);
        if (!await store.CreateAccountAsync(account, cancellationToken))
        {
            throw new SeedgateException(new SeedgateError(ErrorCodes.AlreadyExists, $"The account {id} exists already.", "id"));
        }

        return new AccountDetails(account, overrides, effective);
    }

    /// <summary>Every account, oldest first.</summary>
    public async Task<IReadOnlyList<AccountDetails>> ListAsync(CancellationToken cancellationToken) =>
        [.. (await store.ListAccountsAsync(cancellationToken)).Select(Details)];

    public async Task<AccountDetails> GetAsync(string accountId, CancellationToken cancellationToken) =>
        Details(await FindAsync(accountId, cancellationToken));

    /// <summary>Applies the changes; the plan they make must be valid, else nothing changes.</summary>
    public async Task<AccountDetails> UpdateAsync(string accountId, AccountChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        var account = await FindAsync(accountId, cancellationToken);
        var name = changes.Name is null ? account.Name : CheckName("name", changes.Name);
        var planName = changes.Plan is null ? account.Plan : CheckPlanName(changes.Plan);
        var overrides = changes.ClearOverrides ? PlanOverrides.None : PlanOverrides.Parse(account.Overrides);
        if (changes.Overrides is not null)
        {
            overrides = overrides.Patch(changes.Overrides);
        }

        var effective = CheckPlan(planName, overrides);
        var updated = account with { Name = name, Plan = planName, Overrides = overrides.ToJson(), UpdatedAt = Now() };
        if (!await store.UpdateAccountAsync(updated, cancellationToken))
        {
            throw NotFound(accountId);
        }

        return new AccountDetails(updated, overrides, effective);
    }

    /// <summary>A new key for the account: the key (shown once, never stored) and its record.</summary>
    public async Task<(string Key, ApiKeyRecord Record)> CreateKeyAsync(string accountId, string? name, CancellationToken cancellationToken)
    {
        var keyName = CheckName("name", name);
        var account = await FindAsync(accountId, cancellationToken);
        var (key, record) = ApiKeys.Create(account.Id, keyName, Now());
        await store.AddApiKeyAsync(record, cancellationToken);
        return (key, record);
    }

    /// <summary>The account's keys, revoked ones included, oldest first.</summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string accountId, CancellationToken cancellationToken)
    {
        var account = await FindAsync(accountId, cancellationToken);
        return await store.ListApiKeysAsync(account.Id, cancellationToken);
    }

    /// <summary>
    /// Revokes a key; revoking it again changes nothing and says so (the first revocation time stays). With
    /// <paramref name="accountId"/> (a tenant revoking its own), another account's key is not found, as an unknown one.
    /// </summary>
    public async Task<KeyRevocation> RevokeKeyAsync(string keyId, CancellationToken cancellationToken, string? accountId = null)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (accountId is not null && (await store.GetApiKeyAsync(keyId, cancellationToken))?.AccountId != accountId)
        {
            throw KeyNotFound(keyId);
        }

        var revoked = await store.RevokeApiKeyAsync(keyId, Now(), cancellationToken);
        var key = await store.GetApiKeyAsync(keyId, cancellationToken) ?? throw KeyNotFound(keyId);
        return new KeyRevocation(key, AlreadyRevoked: !revoked);
    }

    private static SeedgateException KeyNotFound(string keyId) =>
        new(new SeedgateError(ErrorCodes.NotFound, $"The key {keyId} was not found.", "id"));

    /// <summary>Adds a credit (a top-up, or with a negative amount an adjustment) to the ledger.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="amountUsd">Dollars, not zero, at most 6 decimal places (whole micro-dollars), at most <see cref="MaxCreditUsd"/> either way.</param>
    /// <param name="note">Why, in the operator's words (optional).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<CreditEntry> AddCreditAsync(string accountId, decimal? amountUsd, string? note, CancellationToken cancellationToken)
    {
        var micros = amountUsd switch
        {
            null => throw new SeedgateException(SeedgateError.Missing("amount_usd", "amount_usd is required: the dollars to credit (negative for an adjustment).")),
            0 => throw Invalid("amount_usd", "amount_usd cannot be 0."),
            > MaxCreditUsd or < -MaxCreditUsd => throw Invalid("amount_usd", $"amount_usd must be at most {MaxCreditUsd} dollars either way."),
            { } usd when decimal.Truncate(usd * 1_000_000m) != usd * 1_000_000m =>
                throw Invalid("amount_usd", "amount_usd has more than 6 decimal places: money is kept in whole micro-dollars."),
            { } usd => (long)(usd * 1_000_000m),
        };
        var text = note is null ? null : CheckText("note", note, MaxNoteLength);
        var account = await FindAsync(accountId, cancellationToken);
        var now = Now();
        var entryId = await store.AddCreditAsync(account.Id, micros, text is { Length: > 0 } ? text : null, now, cancellationToken);
        var balance = await store.GetBalanceAsync(account.Id, now, cancellationToken);
        return new CreditEntry(entryId, account.Id, micros, text is { Length: > 0 } ? text : null, now, balance.CreditMicros - balance.ChargedAllTimeMicros);
    }

    /// <summary>Now, in whole milliseconds as the store keeps times: an answer shows what a later read will.</summary>
    private DateTimeOffset Now() => DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());

    private AccountDetails Details(Account account) =>
        new(account, PlanOverrides.Parse(account.Overrides), plans.Resolve(account.Plan, account.Overrides));

    private async Task<Account> FindAsync(string accountId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        return await store.GetAccountAsync(accountId, cancellationToken) ?? throw NotFound(accountId);
    }

    private static SeedgateException NotFound(string accountId) =>
        new(new SeedgateError(ErrorCodes.NotFound, $"The account {accountId} was not found.", "account_id"));

    private static void CheckId(string id)
    {
        if (id.Length is 0 or > MaxIdLength || !id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_'))
        {
            throw Invalid("id", $"id must be 1–{MaxIdLength} lowercase letters, digits, '-' or '_'.");
        }
    }

    private string CheckPlanName(string name) =>
        plans.Contains(name)
            ? name
            : throw Invalid("plan", $"plan '{name}' is not a configured plan (Seedgate:Plans); the plans are {string.Join(", ", plans.Named.Keys.Order(StringComparer.Ordinal))}.");

    /// <summary>The plan the account would work under; a field out of range is named as the override that set it.</summary>
    private Plan CheckPlan(string planName, PlanOverrides overrides)
    {
        // The named plans were checked at start-up, so a field out of range is one an override set.
        var plan = plans.Compose(planName, overrides);
        return plan.Fault() is { } fault ? throw Invalid("overrides." + fault.Field, "overrides." + fault.Message) : plan;
    }

    private static string CheckName(string field, string? value) =>
        value is null
            ? throw new SeedgateException(SeedgateError.Missing(field, $"{field} is required."))
            : CheckText(field, value, MaxNameLength) is { Length: > 0 } name ? name : throw Invalid(field, $"{field} cannot be empty.");

    /// <summary>The text trimmed: at most <paramref name="maxLength"/> characters and no control characters (names end up in tables and logs).</summary>
    private static string CheckText(string field, string value, int maxLength)
    {
        var text = value.Trim();
        return text.Length > maxLength ? throw Invalid(field, $"{field} must be at most {maxLength} characters.")
            : text.Any(char.IsControl) ? throw Invalid(field, $"{field} cannot contain control characters (line breaks, tabs …).")
            : text;
    }

    private static SeedgateException Invalid(string field, string message) => new(SeedgateError.Invalid(field, message));
}
