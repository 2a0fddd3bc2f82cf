using Seedgate.Core.Generation;

namespace Seedgate.Core.Sandbox;

/// <summary>
/// The camera move between two grey frames of one shot, as one of the camera motions: the global shift or
/// magnification that best maps the earlier frame onto the later one (sums of absolute differences over a small search),
/// or null when no move explains the change clearly better than holding still.
/// </summary>
internal static class MotionEstimate
{
    // Magnifications tried for a push in or out (later = earlier magnified by s about the centre).
    private static readonly double[] Scales = [0.92, 0.95, 0.97, 1.03, 1.05, 1.08];

    // A move must explain the change this much better than no move at all (a cut, noise or rain explain nothing).
    private const double ClearlyBetter = 0.8;

    public static CameraMotion? Between(byte[] earlier, byte[] later, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentNullException.ThrowIfNull(later);
        var reach = Math.Max(2, width / 12); // a second of a brisk pan at this size
        var still = Cost(earlier, later, width, height, reach, (x, y) => (x, y));

        (double Cost, int Dx, int Dy) shift = (double.MaxValue, 0, 0);
        for (var dy = -reach; dy <= reach; dy++)
        {
            for (var dx = -reach; dx <= reach; dx++)
            {
                if ((dx, dy) != (0, 0))
                {
                    var (sx, sy) = (dx, dy);
                    var cost = Cost(earlier, later, width, height, reach, (x, y) => (x + sx, y + sy));
                    if (cost < shift.Cost)
                    {
                        shift = (cost, dx, dy);
                    }
                }
            }
        }

        (double Cost, double Scale) zoom = (double.MaxValue, 1);
        double cx = width / 2.0, cy = height / 2.0;
        foreach (var s in Scales)
        {
            var cost = Cost(earlier, later, width, height, reach, (x, y) => ((int)Math.Round(cx + ((x - cx) / s)), (int)Math.Round(cy + ((y - cy) / s))));
            if (cost < zoom.Cost)
            {
                zoom = (cost, s);
            }
        }

        if (Math.Min(shift.Cost, zoom.Cost) > ClearlyBetter * still)
        {
            return null;
        }

        if (zoom.Cost < shift.Cost)
        {
            return zoom.Scale > 1 ? CameraMotion.DollyIn : CameraMotion.DollyOut;
        }

        // later(x) = earlier(x + dx): the content moved by -dx, so the camera turned towards +dx.
        return Math.Abs(shift.Dx) >= Math.Abs(shift.Dy)
            ? shift.Dx > 0 ? CameraMotion.PanRight : CameraMotion.PanLeft
            : shift.Dy > 0 ? CameraMotion.TiltDown : CameraMotion.TiltUp;
    }

    /// <summary>Mean absolute difference between later(x, y) and earlier(source(x, y)) over the frame less a border.</summary>
    private static double Cost(byte[] earlier, byte[] later, int width, int height, int border, Func<int, int, (int X, int Y)> source)
    {
        long sum = 0;
        var count = 0;
        for (var y = border; y < height - border; y++)
        {
            for (var x = border; x < width - border; x++)
            {
                var (ex, ey) = source(x, y);
                if (ex >= 0 && ex < width && ey >= 0 && ey < height)
                {
                    sum += Math.Abs(later[(y * width) + x] - earlier[(ey * width) + ex]);
                    count++;
                }
            }
        }

        return count == 0 ? double.MaxValue : sum / (double)count;
    }
}
