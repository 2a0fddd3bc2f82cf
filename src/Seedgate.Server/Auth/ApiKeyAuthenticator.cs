using Seedgate.Core.Accounts;
using Seedgate.Server.Edge;

namespace Seedgate.Server.Auth;

/// <summary>
/// Resolves a bearer key to its account: the key named by SEEDGATE_API_KEY at start-up (default account), or a
/// live key in the store, found by its hash.
/// </summary>
/// <remarks>
/// A found key is cached for <see cref="CacheLifetime"/>, so a client polling hard costs the store one indexed read
/// per key and second on each node (shared by the requests that wait for it), not one per request. An unknown key is
/// not kept: a key made on another node works here at once. The lifetime is what bounds how long a key revoked on another
/// node still works here (within 2 s on every node, the promise): a short lifetime is cheaper and simpler than telling
/// every node of each revocation (a notification channel per provider, and a fallback when a node misses one). A key
/// revoked through this node is forgotten at once.
/// </remarks>
internal sealed class ApiKeyAuthenticator(IAccountStore accounts, TimeProvider time, string? environmentKey)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(1);

    private readonly ConfiguredKey _environmentKey = new(environmentKey);

    private readonly SharedReadCache<string?> _accounts = new(CacheLifetime, time);

    /// <summary>The account id of the key, or null when the key is unknown or revoked.</summary>
    public async ValueTask<string?> AuthenticateAsync(string key, CancellationToken cancellationToken)
    {
        if (_environmentKey.Matches(key))
        {
            return ApiKeys.DefaultAccountId;
        }

        var hash = ApiKeys.Hash(key);
        var accountId = await _accounts.GetAsync(
            hash, async () => (await accounts.FindApiKeyAsync(hash, CancellationToken.None))?.AccountId, cancellationToken);
        if (accountId is null)
        {
            _accounts.Forget(hash);
        }

        return accountId;
    }

    /// <summary>Drops a key (by its hash) from this node's cache: after a revocation here, it stops working at once.</summary>
    public void Forget(string hash) => _accounts.Forget(hash);
}
