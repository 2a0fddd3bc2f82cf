using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Seedgate.Core.Generation;
using Seedgate.Core.Media;
using Seedgate.Core.Sandbox;

namespace Seedgate.Bench;

/// <summary>
/// The sandbox renderer against bare ffmpeg encoding the same number of frames at the same size with the same
/// encoder settings, interleaved in one run so machine noise hits both alike. Reports medians and ratios.
/// </summary>
internal static class RenderBenchmark
{
    private const int Width = 1280;
    private const int Height = 720;
    private const int Fps = 24;
    private const double Seconds = 5;
    private const string Prompt = "An orange cat walking through cherry blossom rain, warm sunset tones";

    public static async Task<int> RunAsync(string[] args)
    {
        var reps = args.Length > 1 && args[0] == "--reps" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
        var time = TimeProvider.System;
        var options = new FfmpegOptions();
        if (await Ffmpeg.CheckToolsAsync(options, CancellationToken.None) is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 1;
        }

        using var ffmpeg = new Ffmpeg(options, NullLogger<Ffmpeg>.Instance, time);
        var renderer = new SandboxRenderer(ffmpeg, NullLogger<SandboxRenderer>.Instance, time);
        var dir = Directory.CreateTempSubdirectory("seedgate-bench-");
        try
        {
            var spec = new RenderSpec
            {
                Width = Width,
                Height = Height,
                FramesPerSecond = Fps,
                DurationSeconds = Seconds,
                Prompt = Prompt,
                Seed = 42,
                CameraMotion = CameraMotion.DollyIn,
                GenerateAudio = true,
                OutputVideoPath = Path.Combine(dir.FullName, "sandbox.mp4"),
            };
            var frames = SandboxRenderer.FrameCount(spec);

            // The anchor: testsrc2 is moving, textured, colourful test content, so x264 does real work on every frame,
            // like on the rendered scene (a flat `color` source would be almost free to encode; pure noise would be
            // unfairly expensive). The same audio encode (5 s of 48 kHz noise to AAC) is included.
            string[] bare =
            [
                "-loglevel", "error",
                "-f", "lavfi", "-i", $"testsrc2=size={Width}x{Height}:rate={Fps}",
                "-f", "lavfi", "-i", $"anoisesrc=r=48000:a=0.1:d={Seconds.ToString(CultureInfo.InvariantCulture)}",
                "-map", "0:v:0", .. SandboxRenderer.VideoEncoderArguments, "-frames:v", frames.ToString(CultureInfo.InvariantCulture),
                "-map", "1:a:0", .. SandboxRenderer.AudioEncoderArguments,
                "-movflags", "+faststart", "-f", "mp4", "-y", Path.Combine(dir.FullName, "bare.mp4"),
            ];

            Console.WriteLine($"Warm-up (JIT, disk cache) ... {Environment.ProcessorCount} cores");
            await renderer.RenderAsync(spec, CancellationToken.None);
            await ffmpeg.RunAsync(bare);

            var sandbox = new List<double>();
            var anchor = new List<double>();
            var synthesis = new List<double>();
            for (var i = 0; i < reps; i++)
            {
                var start = time.GetTimestamp();
                await renderer.RenderAsync(spec, CancellationToken.None);
                sandbox.Add(time.GetElapsedTime(start).TotalSeconds);

                start = time.GetTimestamp();
                await ffmpeg.RunAsync(bare);
                anchor.Add(time.GetElapsedTime(start).TotalSeconds);

                synthesis.Add(SandboxRenderer.MeasureSynthesis(spec, time).TotalSeconds);
                Console.WriteLine($"  rep {i + 1}: sandbox {sandbox[^1]:F2} s, bare ffmpeg {anchor[^1]:F2} s, synthesis alone {synthesis[^1]:F2} s");
            }

            var probe = await ffmpeg.ProbeAsync(spec.OutputVideoPath, CancellationToken.None);
            if (Environment.GetEnvironmentVariable("SEEDGATE_BENCH_KEEP") is { Length: > 0 } keep)
            {
                File.Copy(spec.OutputVideoPath, keep, overwrite: true); // to look at what was measured
            }

            double s = BenchStats.Median(sandbox), b = BenchStats.Median(anchor), syn = BenchStats.Median(synthesis);
            Console.WriteLine();
            Console.WriteLine($"Sandbox render: {Width}x{Height} {Fps} fps, {Seconds} s ({frames} frames) + AAC audio, dolly_in, prompt \"{Prompt}\"");
            Console.WriteLine($"Output: {probe.VideoCodec} {probe.PixelFormat} {probe.Width}x{probe.Height} {probe.FramesPerSecond} fps, {probe.DurationSeconds:F3} s, audio {probe.AudioCodec} {probe.AudioSampleRate} Hz x{probe.AudioChannels}");
            Console.WriteLine($"Encoder: {string.Join(' ', SandboxRenderer.VideoEncoderArguments)}");
            Console.WriteLine();
            Console.WriteLine($"| measure (median of {reps}, interleaved) | value | target | met |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| sandbox render wall time | {s:F2} s | | |");
            Console.WriteLine($"| bare ffmpeg (testsrc2, same encoder + AAC) wall time | {b:F2} s | | |");
            Console.WriteLine($"| frame synthesis alone (no encode, same frames) | {syn:F2} s | | |");
            Console.WriteLine($"| ratio sandbox / bare ffmpeg | {s / b:F2}x | <= 1.5x | {(s / b <= 1.5 ? "yes" : "no")} |");
            Console.WriteLine($"| real-time factor (wall / {Seconds} s) | {s / Seconds:F2}x | <= 1x | {(s / Seconds <= 1 ? "yes" : "no")} |");
            return 0;
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
