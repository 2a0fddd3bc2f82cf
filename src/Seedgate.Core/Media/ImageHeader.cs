using System.Buffers.Binary;

namespace Seedgate.Core.Media;

/// <summary>
/// Reads a picture's size from its header (PNG, JPEG, GIF, WebP) without decoding it, so an oversized picture — a
/// small file can declare 16000 × 16000 pixels and cost gigabytes to decode — is refused before anything decodes it.
/// </summary>
internal static class ImageHeader
{
    /// <summary>True with the size when the bytes start like one of the formats and declare a size.</summary>
    public static bool TryReadSize(ReadOnlySpan<byte> bytes, out int width, out int height)
    {
        width = height = 0;
        if (bytes.Length >= 24 && bytes[..8].SequenceEqual<byte>([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            // The IHDR chunk comes first: width and height, big-endian, at 16 and 20.
            (width, height) = (BinaryPrimitives.ReadInt32BigEndian(bytes[16..]), BinaryPrimitives.ReadInt32BigEndian(bytes[20..]));
        }
        else if (bytes.Length >= 10 && (bytes[..6].SequenceEqual("GIF87a"u8) || bytes[..6].SequenceEqual("GIF89a"u8)))
        {
            (width, height) = (BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]), BinaryPrimitives.ReadUInt16LittleEndian(bytes[8..]));
        }
        else if (bytes.Length >= 30 && bytes[..4].SequenceEqual("RIFF"u8) && bytes[8..12].SequenceEqual("WEBP"u8))
        {
            (width, height) = WebPSize(bytes);
        }
        else if (bytes.Length >= 4 && bytes[0] == 0xFF && bytes[1] == 0xD8)
        {
            (width, height) = JpegSize(bytes);
        }

        return width > 0 && height > 0;
    }

    private static (int Width, int Height) WebPSize(ReadOnlySpan<byte> bytes)
    {
        var chunk = bytes[12..16];
        if (chunk.SequenceEqual("VP8X"u8))
        {
            // 24-bit little-endian (size - 1) at 24 and 27.
            return (1 + (bytes[24] | (bytes[25] << 8) | (bytes[26] << 16)), 1 + (bytes[27] | (bytes[28] << 8) | (bytes[29] << 16)));
        }

        if (chunk.SequenceEqual("VP8L"u8))
        {
            // 14 bits each (size - 1), after the 0x2F signature at 20.
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(bytes[21..]);
            return ((int)(bits & 0x3FFF) + 1, (int)((bits >> 14) & 0x3FFF) + 1);
        }

        // VP8 (lossy): 14-bit sizes after the 3-byte frame tag and the start code.
        return chunk.SequenceEqual("VP8 "u8)
            ? (BinaryPrimitives.ReadUInt16LittleEndian(bytes[26..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(bytes[28..]) & 0x3FFF)
            : (0, 0);
    }

    private static (int Width, int Height) JpegSize(ReadOnlySpan<byte> bytes)
    {
        // Walk the markers to the first start-of-frame (SOF0–SOF15 but DHT, JPG and DAC), which holds the size.
        var i = 2;
        while (i + 9 < bytes.Length)
        {
            if (bytes[i] != 0xFF)
            {
                return (0, 0);
            }

            var marker = bytes[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(bytes[(i + 2)..]);
            if (marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC))
            {
                return (BinaryPrimitives.ReadUInt16BigEndian(bytes[(i + 7)..]), BinaryPrimitives.ReadUInt16BigEndian(bytes[(i + 5)..]));
            }

            if (length < 2)
            {
                return (0, 0);
            }

            i += 2 + length;
        }

        return (0, 0);
    }
}
