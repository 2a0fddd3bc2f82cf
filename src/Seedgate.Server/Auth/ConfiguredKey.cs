using System.Security.Cryptography;
using System.Text;

namespace Seedgate.Server.Auth;

/// <summary>
/// A key given in configuration (SEEDGATE_API_KEY, SEEDGATE_ADMIN_KEY). Only its SHA-256 is kept, and a presented key
/// is compared by its hash in constant time: the comparison takes as long whatever the key, and hashes have one
/// length, so neither timing nor length tells a caller how close a guess came.
/// </summary>
internal sealed class ConfiguredKey(string? key)
{
    private readonly byte[]? _hash = key is { Length: > 0 } ? Hash(key) : null;

    /// <summary>False when no key was configured: then nothing matches.</summary>
    public bool IsSet => _hash is not null;

    public bool Matches(string presented)
    {
        ArgumentNullException.ThrowIfNull(presented);
        return _hash is not null && CryptographicOperations.FixedTimeEquals(Hash(presented), _hash);
    }

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
