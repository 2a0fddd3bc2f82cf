using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Seedgate.Core.Generation;
using Seedgate.Core.Media;
using Seedgate.Core.Sandbox;
using Seedgate.Server;

namespace Seedgate.Bench;

/// <summary>
/// A 42 s 720p long take on the sandbox engine, submitted over HTTP to a gateway in this process (SQLite, local disk)
/// and followed to <c>succeeded</c> — three 14 s segments, each continuing the last, then the join — next to the
/// sandbox renderer making one 42 s clip of the same size, prompt, seed and camera move in a single pass. Interleaved
/// repetitions, medians, the ratio (issue 10's target: ≤ 1.3). The like-for-like single pass is the same request as a job
/// through the same gateway on a copy of seedance-2.0 allowed 42 s in one clip (a bench-only catalog entry), so both
/// sides pay the same submit, claim, store and poll; the renderer alone is printed for context.
/// </summary>
internal static class LongTakeBenchmark
{
    private const string Key = "sg-bench-0123456789abcdefghijklmnopqrstuv";
    private const int Seconds = 42;
    private const string Prompt = "one unbroken flight over a rocky coast at golden hour";
    private const string LongTakeModel = "seedance-2.0";
    private const string OnePassModel = "bench-seedance-2.0-one-pass";

    public static async Task<int> RunAsync(string[] args)
    {
        // Arguments: [--reps N (3)] [--camera MOTION|none (none)]. With a camera move the take is not the one-pass clip's
        // picture: each segment makes the whole move in its own seconds, three times the motion an encoder has to code.
        var reps = Option(args, "--reps") is { } r ? int.Parse(r, CultureInfo.InvariantCulture) : 3;
        var cameraName = Option(args, "--camera") ?? "none";
        CameraMotion? camera = cameraName == "none" ? null
            : WireNames.TryParse(cameraName, out CameraMotion parsed) ? parsed : throw new ArgumentException($"Unknown camera motion '{cameraName}'.");
        var time = TimeProvider.System;
        var options = new FfmpegOptions();
        if (await Ffmpeg.CheckToolsAsync(options, CancellationToken.None) is { } problem)
        {
            Console.Error.WriteLine(problem);
            return 1;
        }

        var cameraField = camera is null ? "" : $"\"camera_motion\":\"{cameraName}\",";
        var root = Directory.CreateTempSubdirectory("seedgate-bench-longtake-");
        var catalog = Path.Combine(root.FullName, "catalog.json");
        await File.WriteAllTextAsync(catalog, CatalogWithOnePassModel());
        var config = new List<string>
        {
            $"--SEEDGATE_API_KEY={Key}", "--Logging:LogLevel:Default=Warning", "--Seedgate:Dispatch:ConcurrentJobs=1",
            $"--Seedgate:CatalogPath={catalog}",
        };
        config.AddRange(BenchPlans.Generous);
        var app = SeedgateServer.Build(new ServeOptions(["http://127.0.0.1:0"], root.FullName, config));
        await app.StartAsync();
        using var http = new HttpClient(new SocketsHttpHandler()) { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(10) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        using var ffmpeg = new Ffmpeg(options, NullLogger<Ffmpeg>.Instance, time);
        var renderer = new SandboxRenderer(ffmpeg, NullLogger<SandboxRenderer>.Instance, time);
        try
        {
            // The warm-up take also gives the frame size and seed the single pass repeats.
            Console.WriteLine($"Warm-up (JIT, disk cache) ... {Environment.ProcessorCount} cores");
            var (_, warm) = await GenerateAsync(http, ffmpeg, root.FullName, time, LongTakeModel, cameraField);
            await GenerateAsync(http, ffmpeg, root.FullName, time, OnePassModel, cameraField);
            var spec = new RenderSpec
            {
                Width = (int)warm["width"]!,
                Height = (int)warm["height"]!,
                FramesPerSecond = 24,
                DurationSeconds = Seconds,
                Prompt = Prompt,
                Seed = (long)warm["seed"]!,
                CameraMotion = camera,
                GenerateAudio = false,
                OutputVideoPath = Path.Combine(root.FullName, "single-pass.mp4"),
            };
            await renderer.RenderAsync(spec, CancellationToken.None);

            var takes = new List<double>();
            var onePassJobs = new List<double>();
            var singles = new List<double>();
            JsonObject take = warm;
            for (var i = 0; i < reps; i++)
            {
                (var seconds, take) = await GenerateAsync(http, ffmpeg, root.FullName, time, LongTakeModel, cameraField);
                takes.Add(seconds);
                onePassJobs.Add((await GenerateAsync(http, ffmpeg, root.FullName, time, OnePassModel, cameraField)).Seconds);

                var start = time.GetTimestamp();
                await renderer.RenderAsync(spec, CancellationToken.None);
                singles.Add(time.GetElapsedTime(start).TotalSeconds);
                Console.WriteLine($"  rep {i + 1}: long take {takes[^1]:F2} s, one-pass job {onePassJobs[^1]:F2} s, renderer alone {singles[^1]:F2} s");
            }

            var single = await ffmpeg.ProbeAsync(spec.OutputVideoPath, CancellationToken.None);
            double t = BenchStats.Median(takes), j = BenchStats.Median(onePassJobs), s = BenchStats.Median(singles);
            Console.WriteLine();
            Console.WriteLine($"Long take: seedance-2.0 on the sandbox engine, 720p 16:9, {Seconds} s, no audio, camera {cameraName}, prompt \"{Prompt}\"");
            Console.WriteLine($"  segments {take["segments"]}, output {take["width"]}x{take["height"]} {take["duration"]:F3} s");
            Console.WriteLine($"One pass: the same request on {OnePassModel} (seedance-2.0 allowed {Seconds} s in one clip), through the same gateway;");
            Console.WriteLine($"  and the SandboxRenderer alone, {single.Width}x{single.Height} {single.FramesPerSecond} fps, {single.DurationSeconds:F3} s, same prompt, seed and camera");
            Console.WriteLine();
            Console.WriteLine($"| measure (median of {reps}, interleaved) | value | target | met |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine($"| long take, HTTP submit → succeeded (3 segments + join) | {t:F2} s | | |");
            Console.WriteLine($"| one {Seconds} s clip in a single pass, HTTP submit → succeeded | {j:F2} s | | |");
            Console.WriteLine($"| one {Seconds} s clip in a single pass, the renderer alone (no job) | {s:F2} s | | |");
            Console.WriteLine($"| ratio long take / single-pass job | {t / j:F2}x | <= 1.3x | {(t / j <= 1.3 ? "yes" : "no")} |");
            Console.WriteLine($"| ratio long take / renderer alone | {t / s:F2}x | (context) | |");
            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            root.Delete(recursive: true);
        }
    }

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    /// <summary>The shipped catalog plus <see cref="OnePassModel"/>: seedance-2.0 as it is, but allowed the whole take in one clip.</summary>
    private static string CatalogWithOnePassModel()
    {
        var catalog = ShippedCatalog.Read();
        var models = catalog["models"]!.AsArray();
        var onePass = models.First(m => (string?)m!["id"] == LongTakeModel)!.DeepClone();
        onePass["id"] = OnePassModel;
        onePass["aliases"] = new JsonArray();
        onePass["duration"]!["max"] = Seconds;
        models.Add(onePass);
        return catalog.ToJsonString();
    }

    /// <summary>
    /// Submits the clip (a long take on <see cref="LongTakeModel"/>, one pass on <see cref="OnePassModel"/>) and long-polls
    /// it to the end: the wall time, and the facts of what it made.
    /// </summary>
    private static async Task<(double Seconds, JsonObject Facts)> GenerateAsync(
        HttpClient http, Ffmpeg ffmpeg, string directory, TimeProvider time, string model, string camera)
    {
        var body = $$"""
            {"model":"{{model}}","content":[{"type":"text","text":"{{Prompt}}"}],"resolution":"720p","ratio":"16:9",
             "duration":{{Seconds}},"long_take":{{(model == LongTakeModel ? "true" : "false")}},{{camera}}"generate_audio":false}
            """;
        var start = time.GetTimestamp();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var created = await http.PostAsync("/api/v3/contents/generations/tasks", content);
        var id = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["id"]!;
        JsonNode task;
        do
        {
            task = JsonNode.Parse(await http.GetStringAsync($"/api/v3/contents/generations/tasks/{id}?wait=60"))!;
        }
        while ((string?)task["status"] is "queued" or "running");

        var seconds = time.GetElapsedTime(start).TotalSeconds;
        if ((string?)task["status"] != "succeeded")
        {
            throw new InvalidOperationException($"The long take ended {task["status"]}: {task["error"]}");
        }

        // What was made, as ffmpeg reads the downloaded file.
        var video = Path.Combine(directory, "long-take.mp4");
        await File.WriteAllBytesAsync(video, await http.GetByteArrayAsync(new Uri((string)task["content"]!["video_url"]!)));
        var probe = await ffmpeg.ProbeAsync(video, CancellationToken.None);
        var facts = new JsonObject
        {
            ["seed"] = (long)task["seed"]!,
            ["width"] = probe.Width,
            ["height"] = probe.Height,
            ["duration"] = probe.DurationSeconds,
            ["segments"] = task["long_take"] is { } longTake ? string.Join(" + ", longTake["segments"]!.AsArray().Select(s => (double)s!["seconds"]!)) : "one",
        };
        return (seconds, facts);
    }
}
