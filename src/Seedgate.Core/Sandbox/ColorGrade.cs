using Seedgate.Core.Generation;

namespace Seedgate.Core.Sandbox;

/// <summary>
/// The four styles as colour grades, applied in Y'CbCr with 256-entry tables (no per-pixel floating point):
/// cinematic (2.39:1 letterbox, teal shadows and orange highlights), anime (posterised luma, boosted colour),
/// realistic (gentle S-curve, slightly muted colour, fine film grain), 3d_render (bright, saturated, vignetted).
/// </summary>
internal sealed class ColorGrade
{
    private readonly Style _style;
    private readonly byte[] _luma = new byte[256];
    private readonly byte[] _chroma = new byte[256];
    private readonly sbyte[] _shiftU = new sbyte[256];
    private readonly sbyte[] _shiftV = new sbyte[256];
    private readonly ushort[] _vignetteX = [];
    private readonly ushort[] _vignetteY = [];
    private readonly int _bar;
    private readonly uint _seed;

    private ColorGrade(Style style, int width, int height, ulong seed)
    {
        _style = style;
        _seed = (uint)seed;
        var saturation = style switch
        {
            Style.Cinematic => 1.05,
            Style.Anime => 1.55,
            Style.Realistic => 0.9,
            Style.Render3D => 1.2,
        };
        for (var i = 0; i < 256; i++)
        {
            var l = Math.Clamp((i - 16) / 219.0, 0, 1);
            var graded = style switch
            {
                Style.Cinematic => SCurve(l, 0.6),
                // Six flat bands of light, like cel shading.
                Style.Anime => Math.Min(1, (Math.Floor(l * 6) + 0.5) / 6 * 1.05),
                Style.Realistic => SCurve(l, 0.35),
                // Lifted shadows and a brighter midtone: the clean look of a path-traced preview.
                Style.Render3D => Math.Pow(l, 0.8) * 0.95 + 0.05,
            };
            _luma[i] = (byte)Math.Round(16 + (219 * Math.Clamp(graded, 0, 1)));
            _chroma[i] = (byte)Math.Clamp(Math.Round(128 + ((i - 128) * saturation)), 16, 240);

            if (style == Style.Cinematic)
            {
                // Teal (Cb up, Cr down) in the shadows, orange (Cb down, Cr up) in the highlights.
                var k = (l - 0.5) * 2;
                _shiftU[i] = (sbyte)Math.Round(-12 * k);
                _shiftV[i] = (sbyte)Math.Round(10 * k);
            }
        }

        if (style == Style.Cinematic)
        {
            var visible = width / 2.39;
            _bar = visible < height ? (int)Math.Round((height - visible) / 4) * 2 : 0;
        }

        if (style == Style.Render3D)
        {
            _vignetteX = Vignette(width);
            _vignetteY = Vignette(height);
        }
    }

    public static ColorGrade? For(Style? style, int width, int height, ulong seed) =>
        style is { } s ? new ColorGrade(s, width, height, seed) : null;

    public void Apply(YuvFrame frame, int frameIndex)
    {
        int w = frame.Width, h = frame.Height;
        Parallel.For(0, h / 2, cy =>
        {
            for (var dy = 0; dy < 2; dy++)
            {
                var y = (cy * 2) + dy;
                var row = frame.YRow(y);
                if (y < _bar || y >= h - _bar)
                {
                    row.Fill(16);
                    continue;
                }

                for (var x = 0; x < row.Length; x++)
                {
                    row[x] = _luma[row[x]];
                }

                if (_style == Style.Realistic)
                {
                    // Film grain: hashed per pixel and frame so it changes every frame yet stays deterministic.
                    for (var x = 0; x < row.Length; x++)
                    {
                        var n = (int)(Rng.Hash((uint)x, (uint)y, (uint)frameIndex ^ _seed) & 7) - 4;
                        row[x] = (byte)Math.Clamp(row[x] + n, 16, 235);
                    }
                }
                else if (_style == Style.Render3D)
                {
                    var vy = _vignetteY[y];
                    for (var x = 0; x < row.Length; x++)
                    {
                        var f = (_vignetteX[x] * vy) >> 16;
                        row[x] = (byte)(16 + (((row[x] - 16) * f) >> 8));
                    }
                }
            }

            var u = frame.URow(cy);
            var v = frame.VRow(cy);
            if (cy * 2 < _bar || (cy * 2) + 1 >= h - _bar)
            {
                u.Fill(128);
                v.Fill(128);
                return;
            }

            var luma = frame.YRow(cy * 2);
            for (var x = 0; x < u.Length; x++)
            {
                var l = luma[x * 2];
                u[x] = (byte)Math.Clamp(_chroma[u[x]] + _shiftU[l], 16, 240);
                v[x] = (byte)Math.Clamp(_chroma[v[x]] + _shiftV[l], 16, 240);
            }
        });
    }

    private static double SCurve(double x, double strength)
    {
        var s = x * x * (3 - (2 * x));
        return x + ((s - x) * strength);
    }

    /// <summary>A separable cosine falloff in 8.8 fixed point: 1.0 in the middle, about 0.75 in the corners.</summary>
    private static ushort[] Vignette(int size)
    {
        var table = new ushort[size];
        for (var i = 0; i < size; i++)
        {
            var d = ((i + 0.5) / size * 2) - 1;
            table[i] = (ushort)Math.Round(256 * (1 - (0.13 * d * d)));
        }

        return table;
    }
}

/// <summary>The "AI" mark in the bottom-right corner, from a 5x7 bitmap font: white with a dark shadow.</summary>
internal static class Watermark
{
    private static readonly string[] Glyphs =
    [
        ".###. ###",
        "#...#  # ",
        "#...#  # ",
        "#####  # ",
        "#...#  # ",
        "#...#  # ",
        "#...# ###",
    ];

    public static void Apply(YuvFrame frame)
    {
        var cell = Math.Max(1, frame.Height / 160);
        var glyphWidth = Glyphs[0].Length * cell;
        var glyphHeight = Glyphs.Length * cell;
        var margin = Math.Max(2, frame.Height / 40);
        var left = frame.Width - margin - glyphWidth;
        var top = frame.Height - margin - glyphHeight;
        if (left < 0 || top < 0)
        {
            return;
        }

        Stamp(frame, left + Math.Max(1, cell / 2), top + Math.Max(1, cell / 2), cell, 16, 0.6);
        Stamp(frame, left, top, cell, 235, 0.9);
    }

    private static void Stamp(YuvFrame frame, int left, int top, int cell, byte luma, double alpha)
    {
        var y = frame.Y;
        var u = frame.U;
        var v = frame.V;
        for (var gy = 0; gy < Glyphs.Length; gy++)
        {
            for (var gx = 0; gx < Glyphs[gy].Length; gx++)
            {
                if (Glyphs[gy][gx] != '#')
                {
                    continue;
                }

                for (var py = top + (gy * cell); py < top + ((gy + 1) * cell) && py < frame.Height; py++)
                {
                    for (var px = left + (gx * cell); px < left + ((gx + 1) * cell) && px < frame.Width; px++)
                    {
                        var i = (py * frame.Width) + px;
                        y[i] = (byte)(y[i] + ((luma - y[i]) * alpha));
                        var c = ((py / 2) * frame.ChromaWidth) + (px / 2);
                        u[c] = (byte)(u[c] + ((128 - u[c]) * alpha));
                        v[c] = (byte)(v[c] + ((128 - v[c]) * alpha));
                    }
                }
            }
        }
    }
}
