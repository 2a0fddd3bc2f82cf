namespace Seedgate.Core.Sandbox;

/// <summary>
/// Draws a plate (an image decoded at <see cref="Margin"/> x the frame size) into a frame through a camera,
/// with bilinear sampling in 16.16 fixed point: one affine step per pixel, no allocation, rows in parallel.
/// </summary>
internal static class PlateSampler
{
    /// <summary>Plates are decoded this much larger than the frame so pushed-in and panned views stay sharp.</summary>
    public const double Margin = 1.2;

    public static (int Width, int Height) PlateSize(int width, int height) =>
        (Even(width * Margin), Even(height * Margin));

    public static void Draw(YuvFrame plate, CameraState camera, YuvFrame frame)
    {
        int w = frame.Width, h = frame.Height;
        var kx = plate.Width / (double)w;
        var ky = plate.Height / (double)h;
        var cos = Math.Cos(camera.Roll) / camera.Scale;
        var sin = Math.Sin(camera.Roll) / camera.Scale;

        // Plate coordinate (u, v) of a point q (frame pixels from the centre): p = R·q/s + c, then to plate pixels.
        // Luma samples sit at pixel centres; chroma samples at the centre of each 2x2 block, on a half-size grid.
        Parallel.For(0, h, y =>
        {
            var qy = y + 0.5 - (h / 2.0);
            var qx = 0.5 - (w / 2.0);
            var u = (kx * ((cos * qx) - (sin * qy) + camera.CenterX + (w / 2.0))) - 0.5;
            var v = (ky * ((sin * qx) + (cos * qy) + camera.CenterY + (h / 2.0))) - 0.5;
            SampleRow(plate.Y, plate.Width, plate.Height, u, v, kx * cos, ky * sin, frame.YRow(y));

            if ((y & 1) == 0)
            {
                var cy = y / 2;
                var cqy = (2 * cy) + 1 - (h / 2.0);
                var cqx = 1 - (w / 2.0);
                var cu = (kx * ((cos * cqx) - (sin * cqy) + camera.CenterX + (w / 2.0)) / 2) - 0.5;
                var cv = (ky * ((sin * cqx) + (cos * cqy) + camera.CenterY + (h / 2.0)) / 2) - 0.5;
                int pw = plate.ChromaWidth, ph = plate.ChromaHeight;
                SampleRow(plate.U, pw, ph, cu, cv, kx * cos, ky * sin, frame.URow(cy));
                SampleRow(plate.V, pw, ph, cu, cv, kx * cos, ky * sin, frame.VRow(cy));
            }
        });
    }

    private static void SampleRow(ReadOnlySpan<byte> src, int sw, int sh, double u0, double v0, double du, double dv, Span<byte> dst)
    {
        const int One = 1 << 16;
        var maxU = ((sw - 1) << 16) - 1;
        var maxV = ((sh - 1) << 16) - 1;
        var u = (int)Math.Round(u0 * One);
        var v = (int)Math.Round(v0 * One);
        var stepU = (int)Math.Round(du * One);
        var stepV = (int)Math.Round(dv * One);
        for (var x = 0; x < dst.Length; x++, u += stepU, v += stepV)
        {
            // Clamping to the edge (rather than black) hides the odd sub-pixel overshoot of a rolled view.
            var cu = Math.Clamp(u, 0, maxU);
            var cv = Math.Clamp(v, 0, maxV);
            var fx = (cu >> 8) & 0xFF;
            var fy = (cv >> 8) & 0xFF;
            var i = ((cv >> 16) * sw) + (cu >> 16);
            int a = src[i], b = src[i + 1], c = src[i + sw], d = src[i + sw + 1];
            var top = (a << 8) + ((b - a) * fx);
            var bottom = (c << 8) + ((d - c) * fx);
            dst[x] = (byte)(((top << 8) + ((bottom - top) * fy) + 32768) >> 16);
        }
    }

    private static int Even(double value) => Math.Max(2, (int)Math.Round(value / 2) * 2);
}
