namespace Seedgate.Core.Accounts;

/// <summary>An API key as stored: only the SHA-256 hash of the key, never the key.</summary>
public sealed record ApiKeyRecord(
    string Id, string AccountId, string Name, string Hash, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt = null);

/// <summary>An account (tenant): its plan by name and the plan fields it overrides (see <see cref="Plans.Resolve"/>).</summary>
public sealed record Account(string Id, string Name, string Plan, string Overrides, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>What a node got from a shared rate bucket: whole tokens, and the micro-tokens left in the bucket after.</summary>
public sealed record RateLease(int Granted, long MicroTokensLeft);

/// <summary>Accounts (tenants), their API keys, and node-shared secrets.</summary>
public interface IAccountStore
{
    /// <summary>Creates the account when it does not exist yet.</summary>
    Task EnsureAccountAsync(string accountId, string name, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Stores a new account; false when the id is taken.</summary>
    Task<bool> CreateAccountAsync(Account account, CancellationToken cancellationToken);

    Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>Every account, oldest first.</summary>
    Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the account's name, plan and overrides; false when there is no such account.</summary>
    Task<bool> UpdateAccountAsync(Account account, CancellationToken cancellationToken);

    Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    /// <summary>The account's keys, revoked ones included, oldest first (hashes and prefixes; keys are never stored).</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(string accountId, CancellationToken cancellationToken);

    /// <summary>The key with this id, revoked or not (its hash and prefix; keys are never stored), or null.</summary>
    Task<ApiKeyRecord?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>Revokes a key; false when there is no such live key.</summary>
    Task<bool> RevokeApiKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Takes up to <paramref name="want"/> tokens from the account's cluster-wide bucket of <paramref name="bucketClass"/>
    /// (refilled at <paramref name="perSecond"/> up to <paramref name="burst"/> tokens; a new bucket starts full), in one
    /// atomic statement, so nodes sharing the store together never take more than the bucket gives.
    /// </summary>
    Task<RateLease> LeaseRateTokensAsync(
        string accountId, string bucketClass, double perSecond, int burst, int want, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Adds a credit entry to the ledger (a top-up, or with a negative amount an adjustment); its entry id.</summary>
    Task<long> AddCreditAsync(string accountId, long amountMicros, string? note, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The live (not revoked) key with this hash, or null.</summary>
    Task<ApiKeyRecord?> FindApiKeyAsync(string hash, CancellationToken cancellationToken);

    /// <summary>
    /// The secret stored under <paramref name="name"/>; when there is none, stores <paramref name="candidate"/>
    /// and returns it. Concurrent callers all get the same value (first writer wins), so every node shares it.
    /// </summary>
    Task<byte[]> GetOrAddSecretAsync(string name, byte[] candidate, CancellationToken cancellationToken);

    /// <summary>The account's charges since <paramref name="since"/> and what its unfinished jobs hold, from the ledger.</summary>
    Task<LedgerBalance> GetBalanceAsync(string accountId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// The account's usage over [<paramref name="from"/>, <paramref name="to"/>) (at most <see cref="LedgerUsage.MaxRange"/>),
    /// from the ledger: jobs by outcome, output, cost and cost per job, in total and per group (see <see cref="LedgerUsage"/>).
    /// </summary>
    Task<UsageReport> GetUsageAsync(string accountId, DateTimeOffset from, DateTimeOffset to, UsageGrouping groupBy, CancellationToken cancellationToken);
}
