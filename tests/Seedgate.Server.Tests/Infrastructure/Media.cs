using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Seedgate.Server.Tests.Infrastructure;

/// <summary>Test media made and measured with the real ffmpeg / ffprobe.</summary>
public static class Media
{
    /// <summary>A PNG test pattern of the given size.</summary>
    public static async Task<byte[]> PngAsync(int width, int height, string source = "testsrc")
    {
        var path = Path.Combine(Path.GetTempPath(), $"seedgate-{Guid.NewGuid():n}.png");
        try
        {
            await RunAsync("ffmpeg", "-v", "error", "-f", "lavfi", "-i", $"{source}=size={width}x{height}", "-frames:v", "1", path);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A short WAV tone.</summary>
    public static async Task<byte[]> WavAsync(double seconds)
    {
        var path = Path.Combine(Path.GetTempPath(), $"seedgate-{Guid.NewGuid():n}.wav");
        try
        {
            await RunAsync("ffmpeg", "-v", "error", "-f", "lavfi", "-i", $"sine=frequency=440:duration={seconds}", path);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A short H.264 MP4 test pattern (index at the front, as most uploads have it).</summary>
    public static async Task<byte[]> Mp4Async(int width, int height, double seconds)
    {
        var path = Path.Combine(Path.GetTempPath(), $"seedgate-{Guid.NewGuid():n}.mp4");
        try
        {
            await RunAsync(
                "ffmpeg", "-v", "error", "-f", "lavfi", "-i", $"testsrc=size={width}x{height}:rate=24", "-t", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart", path);
            return await File.ReadAllBytesAsync(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static string DataUrl(string mediaType, byte[] bytes) => $"data:{mediaType};base64,{Convert.ToBase64String(bytes)}";

    /// <summary>ffprobe's view of a file: its streams and format.</summary>
    public static async Task<Probe> ProbeAsync(string path)
    {
        var json = JsonNode.Parse(await RunAsync("ffprobe", "-v", "error", "-print_format", "json", "-show_streams", "-show_format", path))!;
        var streams = json["streams"]!.AsArray();
        var video = streams.First(s => (string?)s!["codec_type"] == "video")!;
        var audio = streams.FirstOrDefault(s => (string?)s!["codec_type"] == "audio");
        var rate = ((string)video["r_frame_rate"]!).Split('/');
        return new Probe(
            (int)video["width"]!,
            (int)video["height"]!,
            double.Parse(rate[0]) / double.Parse(rate[1]),
            json["format"]!["duration"] is { } duration ? double.Parse((string)duration!, System.Globalization.CultureInfo.InvariantCulture) : 0,
            (string)video["codec_name"]!,
            (string)video["pix_fmt"]!,
            (string?)audio?["codec_name"],
            audio is null ? 0 : int.Parse((string)audio["sample_rate"]!),
            audio is null ? 0 : (int)audio["channels"]!);
    }

    /// <summary>
    /// The mean absolute difference (0–255) between each frame of a video and the next, on a small grey copy:
    /// element i compares frame i with frame i + 1.
    /// </summary>
    public static async Task<double[]> NeighbourDifferencesAsync(string path, int width = 160, int height = 90)
    {
        var raw = Path.Combine(Path.GetTempPath(), $"seedgate-{Guid.NewGuid():n}.gray");
        try
        {
            await RunAsync("ffmpeg", "-v", "error", "-i", path, "-vf", $"scale={width}:{height},format=gray", "-fps_mode", "passthrough", "-f", "rawvideo", raw);
            var bytes = await File.ReadAllBytesAsync(raw);
            var size = width * height;
            var frames = bytes.Length / size;
            var differences = new double[frames - 1];
            for (var f = 0; f + 1 < frames; f++)
            {
                long sum = 0;
                for (var i = 0; i < size; i++)
                {
                    sum += Math.Abs(bytes[(f * size) + i] - bytes[((f + 1) * size) + i]);
                }

                differences[f] = sum / (double)size;
            }

            return differences;
        }
        finally
        {
            File.Delete(raw);
        }
    }

    private static async Task<string> RunAsync(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} failed: {await error}");
        return await output;
    }
}

public sealed record Probe(
    int Width, int Height, double Fps, double Duration, string VideoCodec, string PixelFormat, string? AudioCodec, int SampleRate, int Channels);
