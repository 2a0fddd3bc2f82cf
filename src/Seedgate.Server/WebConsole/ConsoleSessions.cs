using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Seedgate.Server.Hosting;

namespace Seedgate.Server.WebConsole;

/// <summary>A signed-in console user: the key it signed in with, whether that is the admin key, until when, and the token its requests echo.</summary>
internal sealed record ConsoleSession(string Key, bool Admin, DateTimeOffset ExpiresAt, string Csrf);

/// <summary>
/// Console sessions as an encrypted cookie (ADR 0018): the key, its role, its expiry and an anti-forgery token, sealed
/// with AES-GCM under a key derived from the store's link secret, so every node on the store opens what another sealed
/// and nothing is kept server-side. The cookie is HttpOnly and SameSite=Strict (Secure over HTTPS); requests that
/// authenticate by it must echo the token in <see cref="CsrfHeader"/>, which a page of another origin can neither read
/// nor send without a CORS preflight the gateway never grants.
/// </summary>
internal sealed class ConsoleSessions(Func<byte[]> secret, TimeProvider time)
{
    /// <summary>Sessions sealed under the store's link secret (read once the host started and the store opened it).</summary>
    public ConsoleSessions(StorageInitializer storage, TimeProvider time)
        : this(() => storage.LinkSecret, time)
    {
    }

    public const string CookieName = "seedgate_console";
    public const string CsrfHeader = "X-Seedgate-Csrf";

    /// <summary>How long a session lasts from its sign-in.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private static readonly byte[] Purpose = "seedgate console session v1"u8.ToArray();

    private byte[]? _key;

    private byte[] Key => _key ??= HKDF.DeriveKey(HashAlgorithmName.SHA256, secret(), 32, info: Purpose);

    /// <summary>Starts a session for <paramref name="key"/>: sets the cookie on the response, and returns the session.</summary>
    public ConsoleSession SignIn(HttpContext context, string key, bool admin)
    {
        ArgumentNullException.ThrowIfNull(context);
        var expires = DateTimeOffset.FromUnixTimeSeconds((time.GetUtcNow() + Lifetime).ToUnixTimeSeconds()); // whole seconds, as sealed
        var session = new ConsoleSession(key, admin, expires, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        context.Response.Cookies.Append(CookieName, Seal(session), CookieOptions(context, session.ExpiresAt));
        return session;
    }

    public static void SignOut(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Delete(CookieName, CookieOptions(context, null));
    }

    /// <summary>The request's session, or null when it has no cookie, or one that is not ours, tampered with or expired.</summary>
    public ConsoleSession? Read(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Cookies.TryGetValue(CookieName, out var cookie) || string.IsNullOrEmpty(cookie))
        {
            return null;
        }

        var session = Open(cookie);
        return session is not null && session.ExpiresAt > time.GetUtcNow() ? session : null;
    }

    /// <summary>Whether the request echoes the session's anti-forgery token (compared in constant time).</summary>
    public static bool Echoes(HttpRequest request, ConsoleSession session)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(session);
        return CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(request.Headers[CsrfHeader].ToString()), Encoding.UTF8.GetBytes(session.Csrf));
    }

    private static CookieOptions CookieOptions(HttpContext context, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };

    private string Seal(ConsoleSession session)
    {
        var plain = Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture, $"{session.ExpiresAt.ToUnixTimeSeconds()}\n{session.Csrf}\n{(session.Admin ? "admin" : "account")}\n{session.Key}"));
        var sealedBytes = new byte[NonceBytes + TagBytes + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key, TagBytes);
        aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceBytes + TagBytes), sealedBytes.AsSpan(NonceBytes, TagBytes), Purpose);
        return Base64Url.EncodeToString(sealedBytes);
    }

    private ConsoleSession? Open(string cookie)
    {
        var bytes = new byte[Base64Url.GetMaxDecodedLength(cookie.Length)];
        if (!Base64Url.TryDecodeFromChars(cookie, bytes, out var length) || length <= NonceBytes + TagBytes)
        {
            return null;
        }

        var plain = new byte[length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(Key, TagBytes);
            aes.Decrypt(bytes.AsSpan(0, NonceBytes), bytes.AsSpan(NonceBytes + TagBytes, plain.Length), bytes.AsSpan(NonceBytes, TagBytes), plain, Purpose);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }

        var parts = Encoding.UTF8.GetString(plain).Split('\n', 4);
        return parts.Length == 4 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            ? new ConsoleSession(parts[3], parts[2] == "admin", DateTimeOffset.FromUnixTimeSeconds(expires), parts[1])
            : null;
    }
}
