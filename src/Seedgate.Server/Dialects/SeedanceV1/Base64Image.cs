using Seedgate.Core.Generation;

namespace Seedgate.Server.Dialects.SeedanceV1;

/// <summary>Turns a bare base64 image (image_base64) into a data: URL, naming its type from its first bytes.</summary>
internal static class Base64Image
{
    public static string ToDataUrl(string base64, string param)
    {
        if (base64.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return base64;
        }

        Span<byte> head = stackalloc byte[12];
        var prefix = base64.Length >= 16 ? base64[..16] : base64;
        if (!Convert.TryFromBase64String(prefix, head, out var written))
        {
            throw new SeedgateException(SeedgateError.Invalid(param, $"{param} is not valid base64."));
        }

        var mediaType = Sniff(head[..written]) ?? throw new SeedgateException(SeedgateError.Invalid(
            param, $"{param} is not a PNG, JPEG, WebP, GIF or BMP image."));
        return $"data:{mediaType};base64,{base64}";
    }

    private static string? Sniff(ReadOnlySpan<byte> b) => b switch
    {
        [0x89, (byte)'P', (byte)'N', (byte)'G', ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "image/webp",
        [(byte)'G', (byte)'I', (byte)'F', (byte)'8', ..] => "image/gif",
        [(byte)'B', (byte)'M', ..] => "image/bmp",
        _ => null,
    };
}
