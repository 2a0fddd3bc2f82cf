namespace Seedgate.Core.Sandbox;

/// <summary>
/// Falling or drifting particles named by the prompt (rain, snow, petals, leaves, embers), drawn over the picture.
/// Each particle's position is a closed-form function of time, so any frame can be drawn on its own.
/// </summary>
internal sealed class Particles
{
    private readonly List<(Kind Kind, Particle[] Items, YuvColor Colour)> _systems = [];
    private readonly int _width;
    private readonly int _height;

    public Particles(PromptWords words, ulong seed, int width, int height)
    {
        _width = width;
        _height = height;
        var rng = new Rng(seed ^ 0xA27C1E5UL);
        var area = width * (double)height;
        if (words.Any("rain", "rainy", "raining", "storm", "drizzle", "downpour", "rainfall"))
        {
            // A light veil: each streak moves further per frame than x264 can match, so every drop costs bits.
            Add(ref rng, Kind.Rain, (int)(area * 0.00018), new Rgb(200, 210, 225));
        }

        if (words.Any("snow", "snowy", "snowing", "snowfall", "blizzard", "snowflake"))
        {
            Add(ref rng, Kind.Snow, (int)(area * 0.0003), new Rgb(250, 250, 255));
        }

        if (words.Any("petal", "blossom", "blossoms", "cherry", "sakura", "flower", "spring"))
        {
            Add(ref rng, Kind.Petal, (int)(area * 0.00012), new Rgb(255, 183, 206));
        }

        if (words.Any("leaf", "leave", "leaves", "autumn", "fall"))
        {
            Add(ref rng, Kind.Petal, (int)(area * 0.00006), new Rgb(214, 110, 40));
        }

        if (words.Any("fire", "ember", "spark", "campfire", "firefly", "fireflies", "lantern"))
        {
            Add(ref rng, Kind.Ember, (int)(area * 0.00005), new Rgb(255, 190, 90));
        }
    }

    private enum Kind
    {
        Rain,
        Snow,
        Petal,
        Ember,
    }

    public bool IsEmpty => _systems.Count == 0;

    /// <summary>Positions are in frame fractions; speed in frame heights per second; size in pixels at 720p.</summary>
    private readonly record struct Particle(float X, float Y, float Speed, float Sway, float Phase, float Size, float Alpha);

    public void Draw(YuvFrame frame, double seconds, Scene.View view)
    {
        // Sizes scale with the frame, with a floor so tiny previews still show their particles.
        var unit = Math.Max(_height / 720.0, 0.35);
        foreach (var (kind, items, colour) in _systems)
        {
            foreach (var p in items)
            {
                // Rain falls fast and straight; snow and petals sway; embers rise.
                var fall = kind == Kind.Ember ? -p.Speed : p.Speed;
                var yn = Wrap(p.Y + (fall * seconds));
                var xn = Wrap(p.X + (p.Sway * Math.Sin((seconds * 1.3) + p.Phase)) + (kind == Kind.Rain ? 0.08 * fall * seconds : 0.02 * seconds));
                var x = (((xn * (_width + (40 * unit))) - (20 * unit) - (_width / 2.0) - view.OffsetX) * view.Scale) + (_width / 2.0);
                var y = (((yn * (_height + (40 * unit))) - (20 * unit) - (_height / 2.0) - view.OffsetY) * view.Scale) + (_height / 2.0);
                var size = p.Size * unit * view.Scale;
                switch (kind)
                {
                    case Kind.Rain:
                        Streak(frame, x, y, size * 0.35, size * 4, colour, p.Alpha);
                        break;
                    case Kind.Snow:
                    case Kind.Ember:
                        Blob(frame, x, y, size, size, 0, colour, p.Alpha);
                        break;
                    case Kind.Petal:
                        Blob(frame, x, y, size, size * 0.55, p.Phase + (seconds * 2.1 * p.Sway * 40), colour, p.Alpha);
                        break;
                }
            }
        }
    }

    private void Add(ref Rng rng, Kind kind, int count, Rgb colour)
    {
        var items = new Particle[Math.Max(count, 4)];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = kind switch
            {
                Kind.Rain => new((float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.Range(1.2, 1.8), 0, 0, (float)rng.Range(6, 11), (float)rng.Range(0.2, 0.38)),
                Kind.Snow => new((float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.Range(0.08, 0.2), (float)rng.Range(0.005, 0.02),
                    (float)rng.Range(0, 6.28), (float)rng.Range(1.5, 4), (float)rng.Range(0.7, 0.95)),
                Kind.Petal => new((float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.Range(0.1, 0.22), (float)rng.Range(0.01, 0.03),
                    (float)rng.Range(0, 6.28), (float)rng.Range(4, 8), (float)rng.Range(0.8, 0.95)),
                Kind.Ember => new((float)rng.NextDouble(), (float)rng.NextDouble(), (float)rng.Range(0.05, 0.12), (float)rng.Range(0.005, 0.015),
                    (float)rng.Range(0, 6.28), (float)rng.Range(1.5, 3), (float)rng.Range(0.6, 0.9)),
            };
        }

        _systems.Add((kind, items, colour.ToYuv()));
    }

    private static double Wrap(double v) => v - Math.Floor(v);

    /// <summary>A soft-edged, rotated ellipse: luma per pixel, chroma per 2x2 block.</summary>
    private static void Blob(YuvFrame frame, double cx, double cy, double rx, double ry, double angle, YuvColor colour, double alpha)
    {
        int w = frame.Width, h = frame.Height;
        var r = Math.Max(rx, ry) + 1;
        if (cx + r < 0 || cy + r < 0 || cx - r >= w || cy - r >= h)
        {
            return;
        }

        rx = Math.Max(rx, 0.6);
        ry = Math.Max(ry, 0.6);
        var cos = Math.Cos(angle);
        var sin = Math.Sin(angle);
        var scale = Math.Min(rx, ry);
        double Coverage(double px, double py)
        {
            var dx = px - cx;
            var dy = py - cy;
            var a = ((dx * cos) + (dy * sin)) / rx;
            var b = ((dy * cos) - (dx * sin)) / ry;
            var q = Math.Sqrt((a * a) + (b * b));
            return Math.Clamp(((1 - q) * scale) + 0.5, 0, 1);
        }

        var y = frame.Y;
        for (var py = Math.Max(0, (int)(cy - r)); py <= Math.Min(h - 1, (int)(cy + r)); py++)
        {
            for (var px = Math.Max(0, (int)(cx - r)); px <= Math.Min(w - 1, (int)(cx + r)); px++)
            {
                var c = Coverage(px + 0.5, py + 0.5) * alpha;
                if (c > 0)
                {
                    var i = (py * w) + px;
                    y[i] = (byte)(y[i] + ((colour.Y - y[i]) * c));
                }
            }
        }

        int cw = frame.ChromaWidth, ch = frame.ChromaHeight;
        var u = frame.U;
        var v = frame.V;
        for (var py = Math.Max(0, (int)((cy - r) / 2)); py <= Math.Min(ch - 1, (int)((cy + r) / 2)); py++)
        {
            for (var px = Math.Max(0, (int)((cx - r) / 2)); px <= Math.Min(cw - 1, (int)((cx + r) / 2)); px++)
            {
                var c = Coverage((2 * px) + 1, (2 * py) + 1) * alpha;
                if (c > 0)
                {
                    var i = (py * cw) + px;
                    u[i] = (byte)(u[i] + ((colour.U - u[i]) * c));
                    v[i] = (byte)(v[i] + ((colour.V - v[i]) * c));
                }
            }
        }
    }

    /// <summary>A thin slanted rain streak, luma only (rain is nearly colourless).</summary>
    private static void Streak(YuvFrame frame, double x, double y, double dx, double length, YuvColor colour, double alpha)
    {
        int w = frame.Width, h = frame.Height;
        var steps = Math.Max(2, (int)length);
        var span = frame.Y;
        for (var s = 0; s < steps; s++)
        {
            var t = s / (double)steps;
            var px = (int)(x + (dx * t));
            var py = (int)(y + (length * t));
            if ((uint)px < (uint)w && (uint)py < (uint)h)
            {
                var i = (py * w) + px;
                // Fade the tail so streaks read as motion, not as sticks.
                var a = alpha * (0.3 + (0.7 * t));
                span[i] = (byte)(span[i] + ((colour.Y - span[i]) * a));
            }
        }
    }
}
