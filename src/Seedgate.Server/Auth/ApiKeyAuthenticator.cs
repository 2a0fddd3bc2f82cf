using System.Collections.Concurrent;
using Seedgate.Core.Accounts;

namespace Seedgate.Server.Auth;

/// <summary>
/// Resolves a bearer key to its account: the key named by SEEDGATE_API_KEY at start-up (default account), or a
/// live key in the store, found by its hash.
/// </summary>
/// <remarks>
/// A found key is cached for <see cref="CacheLifetime"/>, so a client polling hard costs the store one indexed read
/// per key and second on each node, not one per request. The lifetime is what bounds how long a key revoked on another
/// node still works here (within 2 s on every node, the promise): a short lifetime is cheaper and simpler than telling
/// every node of each revocation (a notification channel per provider, and a fallback when a node misses one). A key
/// revoked through this node is forgotten at once.
/// </remarks>
internal sealed class ApiKeyAuthenticator(IAccountStore accounts, TimeProvider time, string? environmentKey)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(1);

    private readonly ConfiguredKey _environmentKey = new(environmentKey);

    private readonly ConcurrentDictionary<string, (string AccountId, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>The account id of the key, or null when the key is unknown or revoked.</summary>
    public async ValueTask<string?> AuthenticateAsync(string key, CancellationToken cancellationToken)
    {
        if (_environmentKey.Matches(key))
        {
            return ApiKeys.DefaultAccountId;
        }

        var hash = ApiKeys.Hash(key);
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(hash, out var cached) && cached.Until > now)
        {
            return cached.AccountId;
        }

        var record = await accounts.FindApiKeyAsync(hash, cancellationToken);
        if (record is null)
        {
            _cache.TryRemove(hash, out _);
            return null;
        }

        _cache[hash] = (record.AccountId, now + CacheLifetime);
        return record.AccountId;
    }

    /// <summary>Drops a key (by its hash) from this node's cache: after a revocation here, it stops working at once.</summary>
    public void Forget(string hash) => _cache.TryRemove(hash, out _);
}
