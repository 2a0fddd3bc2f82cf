using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Seedgate.Core.Storage;

/// <summary>
/// Signed, expiring download links (SPEC §3): the query <c>exp=&lt;unix seconds&gt;&amp;sig=&lt;base64url HMAC-SHA256
/// over "path\nexp"&gt;</c>. Anyone holding the link may download until it expires; nobody can forge, extend or
/// re-point one without the secret.
/// </summary>
public sealed class DownloadLinks
{
    private const int MinimumSecretBytes = 16;

    // Unix seconds fit in 11 digits until the year 5138; anything longer is not one of ours.
    private const int MaxExpDigits = 12;
    private const int SignatureBytes = 32;

    private readonly byte[] _secret;
    private readonly TimeProvider _timeProvider;

    /// <param name="secret">The HMAC key; at least 16 bytes (32 random bytes recommended). Copied.</param>
    public DownloadLinks(ReadOnlySpan<byte> secret, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (secret.Length < MinimumSecretBytes)
        {
            throw new ArgumentException(
                $"The download-link secret must be at least {MinimumSecretBytes} bytes (got {secret.Length}).", nameof(secret));
        }

        _secret = secret.ToArray();
        _timeProvider = timeProvider;
    }

    /// <summary>The query string (without '?') that makes <paramref name="path"/> downloadable for <paramref name="lifetime"/>.</summary>
    public string Sign(string path, TimeSpan lifetime)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var exp = _timeProvider.GetUtcNow().Add(lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Span<byte> mac = stackalloc byte[SignatureBytes];
        ComputeMac(path, exp, mac);
        return $"exp={exp}&sig={Base64Url.EncodeToString(mac)}";
    }

    /// <summary>The unix time (seconds) at which a link signed now for <paramref name="lifetime"/> expires.</summary>
    public DateTimeOffset ExpiresAt(TimeSpan lifetime) =>
        DateTimeOffset.FromUnixTimeSeconds(_timeProvider.GetUtcNow().Add(lifetime).ToUnixTimeSeconds());

    /// <summary>
    /// Whether <paramref name="exp"/> and <paramref name="sig"/> (as received in the query) are a valid, unexpired
    /// signature of <paramref name="path"/>. Never throws: anything missing or malformed is simply false.
    /// </summary>
    public bool Verify(string? path, string? exp, string? sig)
    {
        if (path is null || string.IsNullOrEmpty(exp) || string.IsNullOrEmpty(sig) || exp.Length > MaxExpDigits)
        {
            return false;
        }

        // Digits only (no sign, spaces or leading '+'), so "path\nexp" has exactly one reading.
        if (!long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresAt))
        {
            return false;
        }

        Span<byte> presented = stackalloc byte[SignatureBytes];
        // IsValid first: TryDecodeFromChars throws (rather than answering false) on a character outside the alphabet.
        if (sig.Length != Base64Url.GetEncodedLength(SignatureBytes)
            || !Base64Url.IsValid(sig)
            || !Base64Url.TryDecodeFromChars(sig, presented, out var written)
            || written != SignatureBytes)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[SignatureBytes];
        ComputeMac(path, exp, expected);

        // Check the signature before the clock, and in constant time, so timing reveals nothing about the MAC.
        var valid = CryptographicOperations.FixedTimeEquals(expected, presented);
        return valid && expiresAt > _timeProvider.GetUtcNow().ToUnixTimeSeconds();
    }

    private void ComputeMac(string path, string exp, Span<byte> destination)
    {
        var message = Encoding.UTF8.GetBytes($"{path}\n{exp}");
        HMACSHA256.HashData(_secret, message, destination);
    }
}
