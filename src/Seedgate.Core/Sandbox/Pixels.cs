namespace Seedgate.Core.Sandbox;

/// <summary>
/// One picture as yuv420p planes in a single buffer (Y, then U, then V), exactly the layout ffmpeg's rawvideo
/// reader expects, so a frame goes down the pipe without conversion. Width and height must be even.
/// </summary>
internal sealed class YuvFrame
{
    public YuvFrame(int width, int height)
    {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0)
        {
            throw new ArgumentException($"yuv420p needs a positive, even size; got {width}x{height}.");
        }

        Width = width;
        Height = height;
        Data = new byte[(width * height) + (2 * (width / 2) * (height / 2))];
    }

    public int Width { get; }
    public int Height { get; }
    public int ChromaWidth => Width / 2;
    public int ChromaHeight => Height / 2;
    public byte[] Data { get; }

    public Span<byte> Y => Data.AsSpan(0, Width * Height);
    public Span<byte> U => Data.AsSpan(Width * Height, ChromaWidth * ChromaHeight);
    public Span<byte> V => Data.AsSpan((Width * Height) + (ChromaWidth * ChromaHeight), ChromaWidth * ChromaHeight);

    public Span<byte> YRow(int y) => Data.AsSpan(y * Width, Width);
    public Span<byte> URow(int y) => Data.AsSpan((Width * Height) + (y * ChromaWidth), ChromaWidth);
    public Span<byte> VRow(int y) => Data.AsSpan((Width * Height) + (ChromaWidth * ChromaHeight) + (y * ChromaWidth), ChromaWidth);

    public void CopyFrom(YuvFrame other) => other.Data.AsSpan().CopyTo(Data);

    /// <summary>this = this + (other - this) * weight / 256, on all planes (a crossfade in Y'CbCr is a crossfade in R'G'B').</summary>
    public void BlendFrom(YuvFrame other, int weight256)
    {
        if (weight256 <= 0)
        {
            return;
        }

        if (weight256 >= 256)
        {
            CopyFrom(other);
            return;
        }

        var data = Data;
        var src = other.Data;
        var bands = Math.Max(1, Math.Min(Environment.ProcessorCount * 2, data.Length / 65536));
        var chunk = (data.Length + bands - 1) / bands;
        Parallel.For(0, bands, b =>
        {
            var end = Math.Min(data.Length, (b + 1) * chunk);
            for (var i = b * chunk; i < end; i++)
            {
                int d = data[i];
                data[i] = (byte)(d + ((((src[i] - d) * weight256) + 128) >> 8));
            }
        });
    }
}

/// <summary>A colour in BT.709 limited-range Y'CbCr, the space every frame here lives in.</summary>
internal readonly record struct YuvColor(byte Y, byte U, byte V)
{
    public static YuvColor FromRgb(double r, double g, double b)
    {
        r = Math.Clamp(r / 255, 0, 1);
        g = Math.Clamp(g / 255, 0, 1);
        b = Math.Clamp(b / 255, 0, 1);
        var luma = (0.2126 * r) + (0.7152 * g) + (0.0722 * b);
        return new YuvColor(
            (byte)Math.Round(16 + (219 * luma)),
            (byte)Math.Clamp(Math.Round(128 + (224 * (b - luma) / 1.8556)), 16, 240),
            (byte)Math.Clamp(Math.Round(128 + (224 * (r - luma) / 1.5748)), 16, 240));
    }

    public static YuvColor Lerp(YuvColor a, YuvColor b, double t) => new(
        (byte)Math.Round(a.Y + ((b.Y - a.Y) * t)),
        (byte)Math.Round(a.U + ((b.U - a.U) * t)),
        (byte)Math.Round(a.V + ((b.V - a.V) * t)));
}

/// <summary>An RGB triple used only to describe palettes before conversion.</summary>
internal readonly record struct Rgb(double R, double G, double B)
{
    public YuvColor ToYuv() => YuvColor.FromRgb(R, G, B);
    public Rgb Scale(double k) => new(R * k, G * k, B * k);
    public Rgb Mix(Rgb other, double t) => new(R + ((other.R - R) * t), G + ((other.G - G) * t), B + ((other.B - B) * t));
}

/// <summary>
/// SplitMix64: tiny, fast and — unlike <see cref="System.Random"/> and <see cref="string.GetHashCode()"/> — specified,
/// so the same seed gives the same frames on every runtime and machine.
/// </summary>
internal struct Rng(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    public double Range(double min, double max) => min + ((max - min) * NextDouble());

    public static uint Hash(uint a, uint b, uint c)
    {
        // A few rounds of integer mixing (lowbias32-style): cheap enough per pixel for film grain.
        var h = (a * 0x9E3779B1u) ^ (b * 0x85EBCA77u) ^ (c * 0xC2B2AE3Du);
        h ^= h >> 16;
        h *= 0x7FEB352Du;
        h ^= h >> 15;
        h *= 0x846CA68Bu;
        h ^= h >> 16;
        return h;
    }

    /// <summary>FNV-1a over the characters: a stable string hash for mixing the prompt into the seed.</summary>
    public static ulong HashText(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var c in text)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return h;
    }
}

internal static class Ease
{
    /// <summary>Smoothstep: zero velocity at both ends, so moves start and stop like a real camera.</summary>
    public static double InOut(double t)
    {
        t = Math.Clamp(t, 0, 1);
        return t * t * (3 - (2 * t));
    }
}
