using Seedgate.Core.Generation;
using Seedgate.Core.Sandbox;

namespace Seedgate.Core.Tests.Sandbox;

public sealed class MotionEstimateTests
{
    private const int W = 192;
    private const int H = 108;

    /// <summary>A smooth, textured grey picture (a few soft blobs), defined everywhere so it can be sampled off-frame.</summary>
    private static double Picture(double x, double y) =>
        128 + (50 * Math.Sin(x / 9.0) * Math.Cos(y / 7.0)) + (40 * Math.Exp(-(((x - 70) * (x - 70)) + ((y - 40) * (y - 40))) / 300.0));

    private static byte[] Frame(Func<double, double, (double X, double Y)> source)
    {
        var frame = new byte[W * H];
        for (var y = 0; y < H; y++)
        {
            for (var x = 0; x < W; x++)
            {
                var (sx, sy) = source(x, y);
                frame[(y * W) + x] = (byte)Math.Clamp(Math.Round(Picture(sx, sy)), 0, 255);
            }
        }

        return frame;
    }

    [Theory]
    [InlineData(4, 0, CameraMotion.PanRight)]   // the content moved left
    [InlineData(-4, 0, CameraMotion.PanLeft)]
    [InlineData(0, 3, CameraMotion.TiltDown)]   // the content moved up
    [InlineData(0, -3, CameraMotion.TiltUp)]
    public void A_shift_of_the_picture_is_a_pan_or_a_tilt(int dx, int dy, CameraMotion expected)
    {
        var earlier = Frame((x, y) => (x, y));
        var later = Frame((x, y) => (x + dx, y + dy));

        Assert.Equal(expected, MotionEstimate.Between(earlier, later, W, H));
    }

    [Theory]
    [InlineData(1.06, CameraMotion.DollyIn)]
    [InlineData(0.94, CameraMotion.DollyOut)]
    public void A_magnification_is_a_push_in_or_out(double scale, CameraMotion expected)
    {
        var earlier = Frame((x, y) => (x, y));
        var later = Frame((x, y) => ((W / 2.0) + ((x - (W / 2.0)) / scale), (H / 2.0) + ((y - (H / 2.0)) / scale)));

        Assert.Equal(expected, MotionEstimate.Between(earlier, later, W, H));
    }

    [Fact]
    public void A_still_shot_or_a_cut_is_no_move()
    {
        var earlier = Frame((x, y) => (x, y));
        Assert.Null(MotionEstimate.Between(earlier, earlier, W, H));

        var random = new Random(7);
        var noise = new byte[W * H];
        random.NextBytes(noise);
        Assert.Null(MotionEstimate.Between(earlier, noise, W, H));
    }
}
