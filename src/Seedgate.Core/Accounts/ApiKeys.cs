using System.Security.Cryptography;
using System.Text;

namespace Seedgate.Core.Accounts;

/// <summary>
/// API keys: "sg-" + 40 random base62 characters, shown once. Only a SHA-256 hash is stored: the keys carry
/// ~238 bits of randomness, so a fast hash cannot be brute-forced and lookups stay one indexed read.
/// </summary>
public static class ApiKeys
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>The account that keys without an account of their own (and SEEDGATE_API_KEY) belong to.</summary>
    public const string DefaultAccountId = "default";

    public static (string Key, ApiKeyRecord Record) Create(string accountId, string name, DateTimeOffset now)
    {
        var key = "sg-" + RandomNumberGenerator.GetString(Alphabet, 40);
        var id = "key-" + RandomNumberGenerator.GetString(Alphabet, 12).ToLowerInvariant();
        return (key, new ApiKeyRecord(id, accountId, name, Hash(key), key[..7], now));
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
