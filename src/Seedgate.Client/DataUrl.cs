namespace Seedgate.Client;

/// <summary>Builds <c>data:&lt;mime&gt;;base64,…</c> URLs, the way to send local media inline.</summary>
public static class DataUrl
{
    private static readonly Dictionary<string, string> MimeTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".png"] = "image/png",
        [".webp"] = "image/webp",
        [".bmp"] = "image/bmp",
        [".tif"] = "image/tiff",
        [".tiff"] = "image/tiff",
        [".gif"] = "image/gif",
        [".heic"] = "image/heic",
        [".heif"] = "image/heif",
        [".mp4"] = "video/mp4",
        [".mov"] = "video/quicktime",
        [".mp3"] = "audio/mpeg",
        [".wav"] = "audio/wav",
        [".m4a"] = "audio/mp4",
        [".aac"] = "audio/aac",
        [".ogg"] = "audio/ogg",
        [".flac"] = "audio/flac",
    };

    /// <summary>The MIME type for a file name's extension, or <see langword="null"/> when it is not a supported media type.</summary>
    /// <param name="path">A file name or path.</param>
    public static string? MimeTypeOf(string path) =>
        MimeTypes.TryGetValue(Path.GetExtension(path), out var mime) ? mime : null;

    /// <summary>A data URL for bytes of a known MIME type.</summary>
    /// <param name="bytes">The content.</param>
    /// <param name="mimeType">e.g. <c>image/png</c>.</param>
    public static string FromBytes(ReadOnlySpan<byte> bytes, string mimeType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mimeType);
        return "data:" + mimeType + ";base64," + Convert.ToBase64String(bytes);
    }

    /// <summary>A data URL for a local file, its MIME type taken from the extension.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="ArgumentException">The extension is not a supported media type.</exception>
    public static string FromFile(string path) => FromFile(path, mimePrefix: null);

    internal static string FromFile(string path, string? mimePrefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var mime = MimeTypeOf(path);
        if (mime is null || (mimePrefix is not null && !mime.StartsWith(mimePrefix, StringComparison.Ordinal)))
        {
            var kinds = MimeTypes.Where(p => mimePrefix is null || p.Value.StartsWith(mimePrefix, StringComparison.Ordinal)).Select(p => p.Key);
            throw new ArgumentException(
                $"Cannot tell the media type of '{Path.GetFileName(path)}'; supported extensions: {string.Join(' ', kinds)}.", nameof(path));
        }

        return FromBytes(File.ReadAllBytes(path), mime);
    }
}
