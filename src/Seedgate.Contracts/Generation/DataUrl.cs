using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Seedgate.Core.Generation;

/// <summary>
/// Strict decoding of <c>data:&lt;mime&gt;[;param=value]…;base64,&lt;payload&gt;</c> references (SPEC §2.1).
/// Only the base64 form is accepted: media references are binary, and a percent-encoded body is far more
/// often a client bug than an intent.
/// </summary>
internal static class DataUrl
{
    private const string Scheme = "data:";

    private static readonly Dictionary<string, string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["image/png"] = "png",
        ["image/jpeg"] = "jpg",
        ["image/jpg"] = "jpg",
        ["image/pjpeg"] = "jpg",
        ["image/webp"] = "webp",
        ["image/bmp"] = "bmp",
        ["image/x-bmp"] = "bmp",
        ["image/x-ms-bmp"] = "bmp",
        ["image/tiff"] = "tiff",
        ["image/gif"] = "gif",
        ["image/heic"] = "heic",
        ["image/heif"] = "heif",
        ["video/mp4"] = "mp4",
        ["video/quicktime"] = "mov",
        ["video/webm"] = "webm",
        ["video/x-matroska"] = "mkv",
        ["audio/mpeg"] = "mp3",
        ["audio/mp3"] = "mp3",
        ["audio/wav"] = "wav",
        ["audio/x-wav"] = "wav",
        ["audio/wave"] = "wav",
        ["audio/vnd.wave"] = "wav",
        ["audio/mp4"] = "m4a",
        ["audio/x-m4a"] = "m4a",
        ["audio/aac"] = "m4a",
        ["audio/ogg"] = "ogg",
        ["audio/flac"] = "flac",
        ["audio/x-flac"] = "flac",
    };

    /// <summary>Whether the string is a data: URL at all (scheme compared case-insensitively).</summary>
    public static bool IsDataUrl([NotNullWhen(true)] string? url) =>
        url is not null && url.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses and decodes a base64 data: URL, with no size limit.</summary>
    public static bool TryParse(
        string url,
        out string mediaType,
        out byte[] bytes,
        [NotNullWhen(false)] out string? problem) => TryParse(url, long.MaxValue, out mediaType, out bytes, out problem);

    /// <summary>
    /// Parses and decodes a base64 data: URL. The decoded size is known from the payload length, so a payload
    /// over <paramref name="maxBytes"/> is refused before anything is allocated.
    /// </summary>
    /// <param name="mediaType">The media type in lower case, without parameters (e.g. "image/png").</param>
    /// <param name="problem">On failure, what is wrong, as a phrase that reads after "the data: URL is …".</param>
    public static bool TryParse(
        string url,
        long maxBytes,
        out string mediaType,
        out byte[] bytes,
        [NotNullWhen(false)] out string? problem)
    {
        mediaType = string.Empty;
        bytes = [];
        if (!IsDataUrl(url))
        {
            problem = "not a data: URL";
            return false;
        }

        var comma = url.IndexOf(',', StringComparison.Ordinal);
        if (comma < 0)
        {
            problem = "missing the ',' that separates the header from the payload";
            return false;
        }

        var header = url.AsSpan(Scheme.Length, comma - Scheme.Length);
        var payload = url.AsSpan(comma + 1);

        var semicolon = header.IndexOf(';');
        var type = (semicolon < 0 ? header : header[..semicolon]).Trim();
        if (type.IsEmpty)
        {
            problem = "missing the media type (expected data:<type>/<subtype>;base64,…)";
            return false;
        }

        if (!IsMediaType(type))
        {
            problem = $"not a valid media type: '{type}' (expected <type>/<subtype>, e.g. image/png)";
            return false;
        }

        // Parameters such as ";charset=…" or ";name=…" may come between the type and ";base64", which must be last.
        var isBase64 = false;
        var parameters = semicolon < 0 ? [] : header[(semicolon + 1)..];
        while (!parameters.IsEmpty)
        {
            var next = parameters.IndexOf(';');
            var parameter = (next < 0 ? parameters : parameters[..next]).Trim();
            parameters = next < 0 ? [] : parameters[(next + 1)..];
            if (parameter.Equals("base64", StringComparison.OrdinalIgnoreCase))
            {
                if (!parameters.IsEmpty)
                {
                    problem = "';base64' must be the last parameter before the ','";
                    return false;
                }

                isBase64 = true;
            }
            else if (parameter.IndexOf('=') <= 0)
            {
                problem = $"has a malformed parameter '{parameter}' (expected name=value)";
                return false;
            }
        }

        if (!isBase64)
        {
            problem = "missing ';base64' (only base64-encoded data: URLs are accepted, e.g. data:image/png;base64,…)";
            return false;
        }

        if (payload.IsEmpty)
        {
            problem = "empty: there is no payload after ','";
            return false;
        }

        // Strict base64: the standard alphabet with padding, no whitespace, no URL-safe '-'/'_' (Base64.IsValid
        // would allow whitespace, which in a URL means it was mangled somewhere).
        if (payload.Length % 4 != 0 || payload.ContainsAnyExcept(Base64Alphabet) || !Base64.IsValid(payload, out var decodedLength))
        {
            problem = "not valid base64 (the payload must use the standard alphabet A–Z a–z 0–9 + / with '=' padding)";
            return false;
        }

        if (decodedLength > maxBytes)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"too large: {decodedLength} bytes, more than the limit of {maxBytes} bytes");
            return false;
        }

        var buffer = new byte[decodedLength];
        if (!Convert.TryFromBase64Chars(payload, buffer, out var written) || written != decodedLength)
        {
            problem = "not valid base64";
            return false;
        }

        if (written == 0)
        {
            problem = "empty: the payload decodes to no bytes";
            return false;
        }

        mediaType = type.ToString().ToLowerInvariant();
        bytes = buffer;
        problem = null;
        return true;
    }

    /// <summary>The file extension (without dot) for a media type, or null when Seedgate does not know it.</summary>
    public static string? ExtensionFor(string mediaType)
    {
        ArgumentNullException.ThrowIfNull(mediaType);
        return Extensions.GetValueOrDefault(StripParameters(mediaType));
    }

    /// <summary>The media type of a file extension (without dot) that <see cref="ExtensionFor"/> gives, or null.</summary>
    public static string? MediaTypeFor(string extension) =>
        Extensions.FirstOrDefault(e => string.Equals(e.Value, extension, StringComparison.OrdinalIgnoreCase)).Key;

    /// <summary>The reference kind a media type belongs to (by its image/, video/ or audio/ family), or null.</summary>
    public static ReferenceKind? KindOf(string mediaType)
    {
        ArgumentNullException.ThrowIfNull(mediaType);
        var type = StripParameters(mediaType);
        var slash = type.IndexOf('/', StringComparison.Ordinal);
        return (slash < 0 ? type : type[..slash]).ToLowerInvariant() switch
        {
            "image" => ReferenceKind.Image,
            "video" => ReferenceKind.Video,
            "audio" => ReferenceKind.Audio,
            _ => null,
        };
    }

    /// <summary>Whether the media type's family (image/video/audio) is the one the reference slot expects.</summary>
    public static bool MatchesKind(string mediaType, ReferenceKind expected) => KindOf(mediaType) == expected;

    private static string StripParameters(string mediaType)
    {
        var semicolon = mediaType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? mediaType : mediaType[..semicolon]).Trim();
    }

    private static readonly System.Buffers.SearchValues<char> Base64Alphabet =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=");

    private static readonly System.Buffers.SearchValues<char> TokenChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-");

    // RFC 6838: type "/" subtype, each a restricted token.
    private static bool IsMediaType(ReadOnlySpan<char> value)
    {
        var slash = value.IndexOf('/');
        if (slash <= 0 || slash == value.Length - 1)
        {
            return false;
        }

        return !value[..slash].ContainsAnyExcept(TokenChars) && !value[(slash + 1)..].ContainsAnyExcept(TokenChars);
    }
}
