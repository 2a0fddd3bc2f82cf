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
