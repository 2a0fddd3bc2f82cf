using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Seedgate.Core.Accounts;

namespace Seedgate.Server.Auth;

/// <summary>
/// Resolves a bearer key to its account: the key named by SEEDGATE_API_KEY at start-up (default account), or a
/// key in the store, found by its hash. Found keys are cached briefly so a hot GET does not read the store.
/// </summary>
internal sealed class ApiKeyAuthenticator(IAccountStore accounts, TimeProvider time, string? environmentKey)
{
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    private readonly byte[]? _environmentKeyHash = environmentKey is { Length: > 0 }
        ? SHA256.HashData(Encoding.UTF8.GetBytes(environmentKey))
        : null;

    private readonly ConcurrentDictionary<string, (string AccountId, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    /// <summary>The account id of the key, or null when the key is unknown.</summary>
    public async ValueTask<string?> AuthenticateAsync(string key, CancellationToken cancellationToken)
    {
        var hash = ApiKeys.Hash(key);
        if (_environmentKeyHash is not null && CryptographicOperations.FixedTimeEquals(Convert.FromHexString(hash), _environmentKeyHash))
        {
            return ApiKeys.DefaultAccountId;
        }

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
}
