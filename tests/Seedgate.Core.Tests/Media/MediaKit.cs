using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Seedgate.Core.Media;

namespace Seedgate.Core.Tests.Media;

/// <summary>A private temporary directory per test, removed afterwards.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Path = Directory.CreateTempSubdirectory("seedgate-test-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string[] Files() => Directory.GetFiles(Path).Select(System.IO.Path.GetFileName).OrderBy(f => f, StringComparer.Ordinal).ToArray()!;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Makes test inputs with real ffmpeg and reads results back as grey frames.</summary>
public static class MediaKit
{
    public static Ffmpeg NewFfmpeg(TimeSpan? timeout = null, int? maxProcesses = null) => new(
        new FfmpegOptions { Timeout = timeout ?? TimeSpan.FromMinutes(1), MaxConcurrentProcesses = maxProcesses ?? 4 },
        NullLogger<Ffmpeg>.Instance);

    /// <summary>Renders one frame of a lavfi graph (e.g. "testsrc=size=320x180") to an image file.</summary>
    public static async Task<string> MakeImageAsync(Ffmpeg ffmpeg, string path, string lavfi)
    {
        await ffmpeg.RunAsync(["-loglevel", "error", "-f", "lavfi", "-i", lavfi, "-frames:v", "1", "-update", "1", "-y", path]);
        return path;
    }

    /// <summary>An image whose left half is black and right half white: pans move the edge.</summary>
    public static Task<string> MakeSplitImageAsync(Ffmpeg ffmpeg, string path) =>
        MakeImageAsync(ffmpeg, path, "color=black:size=320x180,drawbox=x=160:y=0:w=160:h=180:color=white:t=fill");

    /// <summary>Black with a white square in the middle: zooms grow or shrink it.</summary>
    public static Task<string> MakeCentreSquareImageAsync(Ffmpeg ffmpeg, string path) =>
        MakeImageAsync(ffmpeg, path, "color=black:size=320x180,drawbox=x=130:y=60:w=60:h=60:color=white:t=fill");

    /// <summary>
    /// Every frame of a video as its luma (Y) plane, width x height bytes each, limited range (16..235). Comparing Y
    /// planes directly avoids ffmpeg's RGB-to-grey conversion, which uses BT.601 weights, not the BT.709 of the clips.
    /// </summary>
    public static async Task<List<byte[]>> GreyFramesAsync(Ffmpeg ffmpeg, string path, int width, int height)
    {
        var frames = new List<byte[]>();
        await ffmpeg.RunAsync(
            ["-loglevel", "error", "-i", path, "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1"],
            readStdout: async (stdout, ct) =>
            {
                var chroma = new byte[width * height / 2];
                while (true)
                {
                    var frame = new byte[width * height];
                    if (await stdout.ReadAtLeastAsync(frame, frame.Length, throwOnEndOfStream: false, ct) < frame.Length
                        || await stdout.ReadAtLeastAsync(chroma, chroma.Length, throwOnEndOfStream: false, ct) < chroma.Length)
                    {
                        break;
                    }

                    frames.Add(frame);
                }
            });
        return frames;
    }

    /// <summary>An image cover-fitted to width x height (scale to fill, centre crop), as a BT.709 limited-range Y plane.</summary>
    public static async Task<byte[]> GreyImageAsync(Ffmpeg ffmpeg, string path, int width, int height)
    {
        using var buffer = new MemoryStream();
        await ffmpeg.RunAsync(
            ["-loglevel", "error", "-i", path, "-vf",
                $"scale={width}:{height}:force_original_aspect_ratio=increase:out_color_matrix=bt709:out_range=tv,crop={width}:{height},format=yuv420p",
                "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1"],
            readStdout: (stdout, ct) => stdout.CopyToAsync(buffer, ct));
        return buffer.ToArray()[..(width * height)];
    }

    public static async Task<string> FrameMd5Async(Ffmpeg ffmpeg, string path)
    {
        using var buffer = new MemoryStream();
        await ffmpeg.RunAsync(["-loglevel", "error", "-i", path, "-map", "0:v:0", "-f", "framemd5", "pipe:1"],
            readStdout: (stdout, ct) => stdout.CopyToAsync(buffer, ct));
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Mean absolute difference of two equally sized grey frames (0..255).</summary>
    public static double Difference(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        long sum = 0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += Math.Abs(a[i] - b[i]);
        }

        return sum / (double)a.Length;
    }

    /// <summary>Peak signal-to-noise ratio of two equally sized grey frames, in dB (infinity when they are equal).</summary>
    public static double Psnr(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double squares = 0;
        for (var i = 0; i < a.Length; i++)
        {
            squares += (a[i] - b[i]) * (a[i] - b[i]);
        }

        return squares == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / (squares / a.Length));
    }

    public static double Mean(byte[] a) => a.Average(v => (double)v);

    /// <summary>The mean luma of each column: where bright content sits horizontally.</summary>
    public static double BrightCentroidX(byte[] frame, int width, int height)
    {
        double sum = 0, weight = 0;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var v = Math.Max(0, frame[(y * width) + x] - 128);
                sum += v * x;
                weight += v;
            }
        }

        return weight == 0 ? double.NaN : sum / weight;
    }

    public static double BrightCentroidY(byte[] frame, int width, int height)
    {
        double sum = 0, weight = 0;
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var v = Math.Max(0, frame[(y * width) + x] - 128);
                sum += v * y;
                weight += v;
            }
        }

        return weight == 0 ? double.NaN : sum / weight;
    }

    public static int CountBright(byte[] frame) => frame.Count(v => v > 128);
}
