using Seedgate.Core.Generation;

namespace Seedgate.Core.Sandbox;

/// <summary>
/// The procedural text-to-video scene: a sky gradient with a sun or moon, and three silhouette layers (hills,
/// waves, skyline, forest or mountains) at increasing depth that drift with parallax and answer the camera by
/// depth. Palette and shapes come from the prompt's words and the seed.
/// </summary>
/// <remarks>
/// Every layer is a height function of world x, so a frame is drawn row by row: per frame each layer's ridge is
/// evaluated once per column (8.8 fixed point, for one-pixel anti-aliasing), and rows that are all sky or all
/// foreground are filled without per-pixel work.
/// </remarks>
internal sealed class Scene
{
    private readonly int _width;
    private readonly int _height;
    private readonly uint _seed;
    private readonly Layer[] _layers;
    private readonly YuvColor _skyTop;
    private readonly YuvColor _skyHorizon;
    private readonly double _horizon;
    private readonly Sun? _sun;
    private readonly (double X, double Y, double Size, double Phase)[] _stars;

    // Per-frame scratch, reused: the scene renders one frame at a time.
    private readonly int[][] _ridge;
    private readonly int[][] _windowColumn;
    private readonly int[] _minRidge;
    private readonly int[] _maxRidge;
    private readonly View[] _views;
    private readonly byte[] _skyY;
    private readonly byte[] _skyU;
    private readonly byte[] _skyV;
    private readonly byte[][] _layerY;
    private readonly byte[][] _layerU;
    private readonly byte[][] _layerV;

    public Scene(PromptWords words, ulong seed, int width, int height)
    {
        _width = width;
        _height = height;
        _seed = (uint)(seed ^ (seed >> 32));
        var rng = new Rng(seed ^ 0x5CE7E5CE7E5UL);

        var mood = words.Any("night", "midnight", "moon", "moonlight", "moonlit", "star", "starry", "galaxy", "dark") ? Mood.Night
            : words.Any("sunset", "sunrise", "dusk", "dawn", "golden", "warm", "evening", "twilight") ? Mood.Sunset
            : words.Any("snow", "snowy", "winter", "fog", "foggy", "mist", "misty", "overcast", "cloudy", "ice") ? Mood.Overcast
            : Mood.Day;
        var land = words.Any("ocean", "sea", "wave", "beach", "coast", "surf", "lake", "water", "shore") ? Land.Ocean
            : words.Any("city", "street", "skyline", "urban", "town", "building", "neon", "downtown", "skyscraper") ? Land.City
            : words.Any("forest", "tree", "wood", "woods", "jungle", "pine", "grove") ? Land.Forest
            : words.Any("snow", "mountain", "alps", "peak", "glacier", "winter", "ice") ? Land.Mountains
            : Land.Hills;

        // A little per-seed colour variation, so two seeds of one prompt are visibly different takes.
        var tint = new Rgb(rng.Range(0.9, 1.1), rng.Range(0.9, 1.1), rng.Range(0.9, 1.1));
        Rgb Tint(Rgb c) => new(c.R * tint.R, c.G * tint.G, c.B * tint.B);

        var (top, horizonColour) = mood switch
        {
            Mood.Night => (new Rgb(4, 6, 22), new Rgb(28, 38, 82)),
            Mood.Sunset => (new Rgb(44, 34, 96), new Rgb(255, 146, 64)),
            Mood.Overcast => (new Rgb(140, 152, 176), new Rgb(222, 226, 234)),
            Mood.Day => (new Rgb(62, 128, 222), new Rgb(196, 222, 248)),
        };
        _skyTop = Tint(top).ToYuv();
        _skyHorizon = Tint(horizonColour).ToYuv();
        _horizon = land == Land.Ocean ? 0.58 : 0.62;

        var baseColours = land switch
        {
            Land.Ocean => new[] { new Rgb(52, 112, 170), new Rgb(30, 86, 146), new Rgb(14, 60, 112) },
            Land.City => [new Rgb(92, 96, 118), new Rgb(56, 58, 76), new Rgb(26, 26, 38)],
            Land.Forest => [new Rgb(92, 130, 108), new Rgb(42, 96, 56), new Rgb(20, 58, 30)],
            Land.Mountains => [new Rgb(176, 188, 214), new Rgb(204, 214, 232), new Rgb(236, 240, 248)],
            Land.Hills => [new Rgb(120, 168, 112), new Rgb(76, 136, 70), new Rgb(44, 104, 46)],
        };
        // The mood lights the land: warm and dark at sunset, near-black blue at night, washed out when overcast.
        Rgb Light(Rgb c) => mood switch
        {
            Mood.Night => new Rgb(c.R * 0.18, c.G * 0.2, c.B * 0.32),
            Mood.Sunset => new Rgb(c.R * 0.62, c.G * 0.38, c.B * 0.45),
            Mood.Overcast => c.Mix(new Rgb(200, 205, 215), 0.25),
            Mood.Day => c,
        };

        var horizonRgb = Tint(horizonColour);
        _layers = new Layer[3];
        double[] depths = [0.35, 0.65, 1.0];
        double[] bases = land == Land.Ocean ? [0.6, 0.7, 0.84] : [0.6, 0.72, 0.86];
        for (var i = 0; i < 3; i++)
        {
            var colour = Tint(Light(baseColours[i]));
            // Aerial perspective: far layers take on the horizon's colour.
            var hazed = colour.Mix(horizonRgb, 0.35 * (1 - depths[i]));
            var shape = land switch
            {
                Land.Ocean => Shape.Waves,
                Land.City => Shape.Skyline,
                Land.Forest => i == 0 ? Shape.Hills : Shape.Trees,
                Land.Mountains => i < 2 ? Shape.Peaks : Shape.Hills,
                Land.Hills => Shape.Hills,
            };
            _layers[i] = new Layer(
                shape,
                depths[i],
                bases[i],
                Amplitude: shape switch
                {
                    Shape.Waves => 0.008 + (0.012 * depths[i]),
                    Shape.Peaks => 0.22 - (0.06 * i),
                    Shape.Skyline => 0.2 - (0.05 * i),
                    _ => 0.06 + (0.02 * i),
                },
                Frequencies: [rng.Range(1.2, 2.2) / depths[i], rng.Range(3, 5) / depths[i], rng.Range(7, 11) / depths[i]],
                Phases: [rng.Range(0, 6.28), rng.Range(0, 6.28), rng.Range(0, 6.28)],
                // Drift in frame heights per second: near layers move faster (parallax even with a still camera).
                Drift: shape == Shape.Waves ? 0.05 * depths[i] : 0.02 * depths[i],
                Top: hazed.ToYuv(),
                Bottom: hazed.Scale(shape == Shape.Waves ? 0.6 : 0.75).ToYuv(),
                Windows: shape == Shape.Skyline && i > 0,
                Salt: (uint)rng.Next());
        }

        _sun = mood switch
        {
            Mood.Night => new Sun(rng.Range(0.6, 0.85), 0.2, 0.045, new Rgb(236, 236, 220).ToYuv(), Tint(new Rgb(90, 100, 140)).ToYuv(), 0.35),
            Mood.Sunset => new Sun(rng.Range(0.3, 0.7), 0.5, 0.08, new Rgb(255, 226, 160).ToYuv(), new Rgb(255, 170, 80).ToYuv(), 0.7),
            Mood.Day => new Sun(rng.Range(0.15, 0.85), 0.16, 0.05, new Rgb(255, 252, 236).ToYuv(), new Rgb(230, 240, 255).ToYuv(), 0.6),
            Mood.Overcast => new Sun(rng.Range(0.2, 0.8), 0.22, 0.06, new Rgb(240, 240, 238).ToYuv(), new Rgb(230, 232, 236).ToYuv(), 0.3),
        };

        var starCount = mood == Mood.Night || words.Any("star", "starry", "galaxy") ? (int)(width * height * 0.0004) + 8 : 0;
        _stars = new (double, double, double, double)[starCount];
        for (var i = 0; i < starCount; i++)
        {
            _stars[i] = (rng.NextDouble(), rng.NextDouble() * _horizon, rng.Range(0.4, 1.3), rng.Range(0, 6.28));
        }

        _ridge = new int[3][];
        _windowColumn = new int[3][];
        _layerY = new byte[3][];
        _layerU = new byte[3][];
        _layerV = new byte[3][];
        for (var i = 0; i < 3; i++)
        {
            _ridge[i] = new int[width];
            _windowColumn[i] = new int[width];
            _layerY[i] = new byte[height];
            _layerU[i] = new byte[height / 2];
            _layerV[i] = new byte[height / 2];
        }

        _minRidge = new int[3];
        _maxRidge = new int[3];
        _views = new View[4];
        _skyY = new byte[height];
        _skyU = new byte[height / 2];
        _skyV = new byte[height / 2];
    }

    private enum Mood
    {
        Day,
        Sunset,
        Night,
        Overcast,
    }

    private enum Land
    {
        Hills,
        Ocean,
        Forest,
        City,
        Mountains,
    }

    private enum Shape
    {
        Hills,
        Peaks,
        Trees,
        Skyline,
        Waves,
    }

    /// <summary>How the camera moves the nearest layer; particles ride on it.</summary>
    public View NearView => _views[3];

    public void Render(YuvFrame frame, double seconds, CameraState camera, CameraMotion? motion)
    {
        int w = _width, h = _height;
        _views[0] = ViewFor(0.05, camera, motion);
        for (var i = 0; i < 3; i++)
        {
            _views[i + 1] = ViewFor(_layers[i].Depth, camera, motion);
            PrepareLayer(i, seconds);
        }

        PrepareSky();
        var minAll = Math.Min(_minRidge[0], Math.Min(_minRidge[1], _minRidge[2]));

        const int Band = 8;
        Parallel.For(0, (h + Band - 1) / Band, band =>
        {
            var end = Math.Min(h, (band + 1) * Band);
            for (var y = band * Band; y < end; y++)
            {
                var yc = (y << 8) + 128;
                var row = frame.YRow(y);
                FillSky(row, y, _skyY[y], 0);
                if (yc > minAll)
                {
                    for (var l = 0; l < 3; l++)
                    {
                        PaintLayer(row, l, yc, 1, _layerY[l][y], y, 0);
                    }
                }

                if ((y & 1) == 0)
                {
                    var cy = y >> 1;
                    var cyc = ((2 * cy) + 1) << 8;
                    var uRow = frame.URow(cy);
                    var vRow = frame.VRow(cy);
                    FillSky(uRow, cy, _skyU[cy], 1);
                    FillSky(vRow, cy, _skyV[cy], 2);
                    if (cyc > minAll)
                    {
                        for (var l = 0; l < 3; l++)
                        {
                            PaintLayer(uRow, l, cyc, 2, _layerU[l][cy], cy, 1);
                            PaintLayer(vRow, l, cyc, 2, _layerV[l][cy], cy, 2);
                        }
                    }
                }
            }
        });

        DrawStars(frame, seconds);
    }

    private readonly record struct Layer(
        Shape Shape, double Depth, double Base, double Amplitude, double[] Frequencies, double[] Phases, double Drift,
        YuvColor Top, YuvColor Bottom, bool Windows, uint Salt);

    private readonly record struct Sun(double X, double Y, double Radius, YuvColor Disc, YuvColor Glow, double GlowStrength);

    /// <summary>A layer's screen transform: scale about the frame centre and offset in frame pixels.</summary>
    internal readonly record struct View(double Scale, double OffsetX, double OffsetY);

    private static View ViewFor(double depth, CameraState c, CameraMotion? motion) => motion switch
    {
        null => new View(1, 0, 0),
        // A zoom magnifies everything alike; a dolly moves the camera, so near things grow faster than far ones.
        CameraMotion.ZoomIn or CameraMotion.ZoomOut => new View(c.Scale, 0, 0),
        CameraMotion.DollyIn or CameraMotion.DollyOut => new View(1 + ((c.Scale - 1) * depth * 1.2), 0, 0),
        // Pans and tilts rotate the camera: every depth shifts alike (the world has no edges, so no magnification).
        CameraMotion.PanLeft or CameraMotion.PanRight or CameraMotion.TiltUp or CameraMotion.TiltDown =>
            new View(1, c.CenterX * c.Scale * 1.6, c.CenterY * c.Scale * 1.6),
        // Orbiting a subject in the middle distance: the background slides one way, the foreground the other.
        CameraMotion.OrbitLeft or CameraMotion.OrbitRight => new View(1, c.CenterX * 3 * ((depth * 2) - 0.7), 0),
        // A crane rises through the layers: near ones move most, and the view widens or narrows a little.
        CameraMotion.CraneUp or CameraMotion.CraneDown => new View(1 + ((c.Scale - 1.12) * depth), 0, c.CenterY * 2.5 * depth),
        _ => throw new ArgumentOutOfRangeException(nameof(motion), motion, "Unknown camera motion."),
    };

    private void PrepareLayer(int index, double seconds)
    {
        var layer = _layers[index];
        var view = _views[index + 1];
        int w = _width, h = _height;
        var ridge = _ridge[index];
        var windows = _windowColumn[index];
        var drift = layer.Drift * seconds * h;
        var f = layer.Frequencies;
        var p = layer.Phases;
        var waveTime = layer.Shape == Shape.Waves ? seconds * 1.6 : 0;
        int min = int.MaxValue, max = int.MinValue;
        for (var x = 0; x < w; x++)
        {
            var xw = ((x + 0.5 - (w / 2.0)) / view.Scale) + (w / 2.0) + view.OffsetX + drift;
            var u = xw / h;
            double height;
            switch (layer.Shape)
            {
                case Shape.Peaks:
                    // 1 - |sin| has cusps at its maxima: sharp peaks, rounded valleys.
                    height = (0.65 * (1 - Math.Abs(Math.Sin((f[0] * u * 0.5) + p[0])))) + (0.35 * (1 - Math.Abs(Math.Sin((f[1] * u * 0.5) + p[1]))));
                    break;
                case Shape.Trees:
                {
                    var hills = 0.3 * (0.5 + (0.5 * Math.Sin((f[0] * u) + p[0])));
                    var period = 0.03 / layer.Depth;
                    var cell = Math.Floor(u / period);
                    var local = (u / period) - cell;
                    var size = 0.5 + (0.5 * (Rng.Hash((uint)(int)cell, layer.Salt, 7) / (double)uint.MaxValue));
                    height = hills + (size * (1 - Math.Abs((2 * local) - 1)) * 0.9);
                    break;
                }

                case Shape.Skyline:
                {
                    var period = 0.07 / layer.Depth;
                    var cell = (int)Math.Floor(u / period);
                    height = 0.2 + (0.8 * (Rng.Hash((uint)cell, layer.Salt, 3) / (double)uint.MaxValue));
                    // Windows: columns of lit cells inside each building, in world units so they ride with the layer.
                    var wx = u / (0.014 / layer.Depth);
                    windows[x] = wx - Math.Floor(wx) < 0.5 ? (int)Math.Floor(wx) & 0xFFFFFF : -1;
                    break;
                }

                case Shape.Waves:
                    height = (0.6 * Math.Sin((f[1] * u) + (waveTime * 1.0) + p[0])) + (0.4 * Math.Sin((f[2] * u) - (waveTime * 0.7) + p[1]));
                    break;
                default:
                    height = (0.55 * Math.Sin((f[0] * u) + p[0])) + (0.3 * Math.Sin((f[1] * u) + p[1])) + (0.15 * Math.Sin((f[2] * u) + p[2]));
                    break;
            }

            var ridgeWorld = (layer.Base - (layer.Amplitude * height)) * h;
            var screen = ((ridgeWorld - (h / 2.0) - view.OffsetY) * view.Scale) + (h / 2.0);
            var fixedPoint = (int)Math.Clamp(screen * 256, -65536, (h + 2) * 256.0);
            ridge[x] = fixedPoint;
            min = Math.Min(min, fixedPoint);
            max = Math.Max(max, fixedPoint);
        }

        _minRidge[index] = min;
        _maxRidge[index] = max;

        // Vertical shading by world depth below the layer's base line: lighter at the ridge, darker towards the viewer.
        for (var y = 0; y < h; y++)
        {
            var yw = ((y + 0.5 - (h / 2.0)) / view.Scale) + (h / 2.0) + view.OffsetY;
            var t = Math.Clamp(((yw / h) - layer.Base + 0.15) / (1.15 - layer.Base), 0, 1);
            var c = YuvColor.Lerp(layer.Top, layer.Bottom, t);
            _layerY[index][y] = c.Y;
            if ((y & 1) == 1)
            {
                _layerU[index][y >> 1] = c.U;
                _layerV[index][y >> 1] = c.V;
            }
        }
    }

    private void PrepareSky()
    {
        int h = _height;
        var view = _views[0];
        for (var y = 0; y < h; y++)
        {
            var yw = ((y + 0.5 - (h / 2.0)) / view.Scale) + (h / 2.0) + view.OffsetY;
            var t = Math.Clamp(yw / (h * _horizon), 0, 1);
            var c = YuvColor.Lerp(_skyTop, _skyHorizon, Math.Pow(t, 1.6));
            _skyY[y] = c.Y;
            if ((y & 1) == 1)
            {
                _skyU[y >> 1] = c.U;
                _skyV[y >> 1] = c.V;
            }
        }
    }

    private void FillSky(Span<byte> row, int y, byte value, int plane)
    {
        row.Fill(value);
        if (_sun is not { } sun)
        {
            return;
        }

        // Plane 0 is luma at full size; 1 and 2 are chroma at half size (sample at each 2x2 block's centre).
        var step = plane == 0 ? 1 : 2;
        var view = _views[0];
        double w = _width, h = _height;
        var sx = ((((sun.X * w) - (w / 2)) - view.OffsetX) * view.Scale) + (w / 2);
        var sy = ((((sun.Y * h) - (h / 2)) - view.OffsetY) * view.Scale) + (h / 2);
        var radius = sun.Radius * h * view.Scale;
        var glow = radius * 4;
        var py = plane == 0 ? y + 0.5 : (2 * y) + 1;
        var dy = py - sy;
        if (Math.Abs(dy) >= glow)
        {
            return;
        }

        var disc = plane switch { 0 => sun.Disc.Y, 1 => sun.Disc.U, _ => sun.Disc.V };
        var halo = plane switch { 0 => sun.Glow.Y, 1 => sun.Glow.U, _ => sun.Glow.V };
        var from = Math.Max(0, (int)((sx - glow) / step));
        var to = Math.Min(row.Length, (int)((sx + glow) / step) + 1);
        for (var x = from; x < to; x++)
        {
            var px = plane == 0 ? x + 0.5 : (2 * x) + 1;
            var d = Math.Sqrt(((px - sx) * (px - sx)) + (dy * dy));
            if (d < radius + 1)
            {
                var a = Math.Clamp(radius + 1 - d, 0, 1);
                row[x] = (byte)(row[x] + ((disc - row[x]) * a));
            }
            else if (d < glow)
            {
                var g = (glow - d) / (glow - radius);
                row[x] = (byte)(row[x] + ((halo - row[x]) * g * g * sun.GlowStrength));
            }
        }
    }

    private void PaintLayer(Span<byte> row, int l, int yc, int step, byte value, int y, int plane)
    {
        if (yc <= _minRidge[l])
        {
            return;
        }

        var layer = _layers[l];
        if (yc - _maxRidge[l] >= 256 && !layer.Windows)
        {
            row.Fill(value);
            return;
        }

        var ridge = _ridge[l];
        var offset = step - 1; // chroma samples the ridge at the block's right column (its centre is between the two)
        for (var x = 0; x < row.Length; x++)
        {
            var d = yc - ridge[(x * step) + offset];
            if (d >= 256)
            {
                row[x] = value;
            }
            else if (d > 0)
            {
                int v = row[x];
                row[x] = (byte)(v + (((value - v) * d) >> 8));
            }
        }

        if (layer.Windows)
        {
            PaintWindows(row, l, yc, step, y, plane);
        }
    }

    private void PaintWindows(Span<byte> row, int l, int yc, int step, int y, int plane)
    {
        var view = _views[l + 1];
        var layer = _layers[l];
        double h = _height;
        var py = plane == 0 ? y + 0.5 : (2 * y) + 1;
        var yw = ((py - (h / 2)) / view.Scale) + (h / 2) + view.OffsetY;
        var wy = yw / h / (0.02 / layer.Depth);
        if (wy - Math.Floor(wy) >= 0.55)
        {
            return;
        }

        var rowKey = (uint)(int)Math.Floor(wy);
        var lit = plane switch { 0 => (byte)200, 1 => (byte)100, _ => (byte)150 }; // warm yellow
        var ridge = _ridge[l];
        var columns = _windowColumn[l];
        var offset = step - 1;
        for (var x = 0; x < row.Length; x++)
        {
            var column = columns[(x * step) + offset];
            if (column >= 0 && yc - ridge[(x * step) + offset] >= 1024 && (Rng.Hash((uint)column, rowKey, layer.Salt) & 7) < 2)
            {
                row[x] = lit;
            }
        }
    }

    private void DrawStars(YuvFrame frame, double seconds)
    {
        if (_stars.Length == 0)
        {
            return;
        }

        var view = _views[0];
        int w = _width, h = _height;
        var y = frame.Y;
        foreach (var (sx0, sy0, size, phase) in _stars)
        {
            var x = (int)((((sx0 * w) - (w / 2.0) - view.OffsetX) * view.Scale) + (w / 2.0));
            var yy = (int)((((sy0 * h) - (h / 2.0) - view.OffsetY) * view.Scale) + (h / 2.0));
            if ((uint)x >= (uint)w || (uint)yy >= (uint)h)
            {
                continue;
            }

            // Stars only where the sky shows: above every layer's ridge in this column.
            var top = Math.Min(_ridge[0][x], Math.Min(_ridge[1][x], _ridge[2][x])) >> 8;
            if (yy >= top - 1)
            {
                continue;
            }

            var twinkle = 0.6 + (0.4 * Math.Sin((seconds * 3) + phase));
            var i = (yy * w) + x;
            int bright = (int)(120 * size * twinkle);
            y[i] = (byte)Math.Min(235, y[i] + bright);
            if (size > 1 && x + 1 < w)
            {
                y[i + 1] = (byte)Math.Min(235, y[i + 1] + (bright / 2));
            }
        }
    }
}
