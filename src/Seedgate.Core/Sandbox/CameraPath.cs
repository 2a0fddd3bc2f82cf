using Seedgate.Core.Generation;

namespace Seedgate.Core.Sandbox;

/// <summary>
/// Where the virtual camera looks at one instant. <see cref="Scale"/> magnifies the plate about the frame centre,
/// <see cref="CenterX"/>/<see cref="CenterY"/> are the view centre's offset on the plate in frame pixels (content
/// on screen moves the opposite way), <see cref="Roll"/> is a rotation in radians.
/// </summary>
internal readonly record struct CameraState(double Scale, double CenterX, double CenterY, double Roll)
{
    public static readonly CameraState Still = new(1, 0, 0, 0);
}

/// <summary>The 12 camera motions as eased paths over normalised time 0..1.</summary>
internal static class CameraPath
{
    // Magnifications are modest: plates are decoded at 1.2x the frame (PlateMargin), so up to ~1.25x stays sharp.
    private const double PushScale = 1.25;  // dolly in/out
    private const double ZoomScale = 1.35;  // zoom reads as a stronger, flatter move than a dolly
    private const double PanScale = 1.15;   // a pan needs margin on both sides; this is the smallest that gives a clear move
    private const double OrbitScale = 1.2;  // rotation needs a little more margin than a pan
    private const double OrbitRoll = 2.5 * Math.PI / 180;

    /// <summary>Camera state at <paramref name="t"/> for a frame of <paramref name="width"/> x <paramref name="height"/>.</summary>
    public static CameraState At(CameraMotion? motion, double t, int width, int height)
    {
        var e = Ease.InOut(t);
        var s = 2 * e - 1; // -1 .. 1, eased
        return motion switch
        {
            null => CameraState.Still,
            // In: start exactly on the plate (first frame = the image) and push in.
            CameraMotion.DollyIn => new(Lerp(1, PushScale, e), 0, 0, 0),
            CameraMotion.ZoomIn => new(Lerp(1, ZoomScale, e), 0, 0, 0),
            // Out: the plate has no content beyond its edges, so start pushed in and end exactly on the plate.
            CameraMotion.DollyOut => new(Lerp(PushScale, 1, e), 0, 0, 0),
            CameraMotion.ZoomOut => new(Lerp(ZoomScale, 1, e), 0, 0, 0),
            // Pan left: the camera turns left, so the view centre travels left and the content moves right.
            CameraMotion.PanLeft => new(PanScale, -s * Margin(width, PanScale), 0, 0),
            CameraMotion.PanRight => new(PanScale, s * Margin(width, PanScale), 0, 0),
            // Tilt up: the view centre travels up (smaller y), the content moves down.
            CameraMotion.TiltUp => new(PanScale, 0, -s * Margin(height, PanScale), 0),
            CameraMotion.TiltDown => new(PanScale, 0, s * Margin(height, PanScale), 0),
            // Orbit: travel sideways around the subject while the horizon rolls a little.
            CameraMotion.OrbitLeft => new(OrbitScale, -s * Margin(width, OrbitScale) * 0.8, 0, s * OrbitRoll),
            CameraMotion.OrbitRight => new(OrbitScale, s * Margin(width, OrbitScale) * 0.8, 0, -s * OrbitRoll),
            // Crane up: rise (view travels up) while pulling back slightly; crane down the reverse.
            CameraMotion.CraneUp => new(Lerp(1.25, 1.12, e), 0, -s * Margin(height, 1.12), 0),
            CameraMotion.CraneDown => new(Lerp(1.12, 1.25, e), 0, s * Margin(height, 1.12), 0),
            _ => throw new ArgumentOutOfRangeException(nameof(motion), motion, "Unknown camera motion."),
        };
    }

    /// <summary>
    /// The move continuing a video from its last frame (the plate): it starts exactly on the plate, so the joint shows
    /// no jump, and eases into the motion — in, or across (magnifying just enough to have room to travel). A move out
    /// would need picture beyond the plate's edges, which a last frame does not have: the camera then holds still.
    /// </summary>
    public static CameraState Continuing(CameraMotion? motion, double t, int width, int height)
    {
        var e = Ease.InOut(t);
        return motion switch
        {
            CameraMotion.DollyIn => new(Lerp(1, PushScale, e), 0, 0, 0),
            CameraMotion.ZoomIn => new(Lerp(1, ZoomScale, e), 0, 0, 0),
            CameraMotion.PanLeft => Across(PanScale, -1, 0, 0),
            CameraMotion.PanRight => Across(PanScale, 1, 0, 0),
            CameraMotion.TiltUp => Across(PanScale, 0, -1, 0),
            CameraMotion.TiltDown => Across(PanScale, 0, 1, 0),
            CameraMotion.OrbitLeft => Across(OrbitScale, -0.8, 0, OrbitRoll),
            CameraMotion.OrbitRight => Across(OrbitScale, 0.8, 0, -OrbitRoll),
            CameraMotion.CraneUp => Across(1.12, 0, -1, 0),
            CameraMotion.CraneDown => Across(1.12, 0, 1, 0),
            _ => CameraState.Still,
        };

        // Magnifies from 1 to the move's scale while the centre travels up to the margin that scale allows.
        CameraState Across(double scale, double x, double y, double roll)
        {
            var now = Lerp(1, scale, e);
            return new(now, x * e * Margin(width, now), y * e * Margin(height, now), roll * e);
        }
    }

    /// <summary>How far the view centre may travel from the middle at this scale without leaving the plate.</summary>
    private static double Margin(int size, double scale) => size / 2.0 * (1 - (1 / scale));

    private static double Lerp(double a, double b, double t) => a + ((b - a) * t);
}
