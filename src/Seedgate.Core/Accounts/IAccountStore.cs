namespace Seedgate.Core.Accounts;

/// <summary>An API key as stored: only the SHA-256 hash of the key, never the key.</summary>
public sealed record ApiKeyRecord(string Id, string AccountId, string Name, string Hash, string Prefix, DateTimeOffset CreatedAt);

/// <summary>Accounts (tenants), their API keys, and node-shared secrets.</summary>
public interface IAccountStore
{
    /// <summary>Creates the account when it does not exist yet.</summary>
    Task EnsureAccountAsync(string accountId, string name, DateTimeOffset now, CancellationToken cancellationToken);

    Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    /// <summary>The live (not revoked) key with this hash, or null.</summary>
    Task<ApiKeyRecord?> FindApiKeyAsync(string hash, CancellationToken cancellationToken);

    /// <summary>
    /// The secret stored under <paramref name="name"/>; when there is none, stores <paramref name="candidate"/>
    /// and returns it. Concurrent callers all get the same value (first writer wins), so every node shares it.
    /// </summary>
    Task<byte[]> GetOrAddSecretAsync(string name, byte[] candidate, CancellationToken cancellationToken);

    /// <summary>The account's charges since <paramref name="since"/> and what its unfinished jobs hold, from the ledger.</summary>
    Task<LedgerBalance> GetBalanceAsync(string accountId, DateTimeOffset since, CancellationToken cancellationToken);
}
