using Seedgate.Core.Catalog;
using Seedgate.Core.Sandbox;

namespace Seedgate.Server.Simulator;

/// <summary>
/// Renders a simulated task's output with the sandbox renderer: the prompt, at the requested size and length, and
/// inline (data URL) images as plates. Reference URLs are not fetched, so http(s) references do not show.
/// </summary>
internal sealed class TaskRenderer(SandboxRenderer renderer, ModelCatalog catalog, string dataDirectory, bool reuseRenders, ILogger logger)
{
    // With reuse on: one render per (size, length, audio, last frame), made by the first task that needs it.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<string>>> _shared = new(StringComparer.Ordinal);

    /// <summary>
    /// 4k frame sizes (the catalog stops at 2k, which Ark does not have): 3840×2160 at 16:9 and twice the catalog's 1080p
    /// size at the other ratios, so each keeps the 1080p row's exact shape.
    /// </summary>
    private static readonly Dictionary<string, (int Width, int Height)> Frames4K = new(StringComparer.Ordinal)
    {
        ["16:9"] = (3840, 2160),
        ["4:3"] = (3328, 2496),
        ["1:1"] = (2880, 2880),
        ["3:4"] = (2496, 3328),
        ["9:16"] = (2160, 3840),
        ["21:9"] = (4412, 1892),
    };

    public string DirectoryOf(string taskId) => Path.Combine(dataDirectory, taskId);

    public string VideoPath(string taskId) => Path.Combine(DirectoryOf(taskId), TaskJson.VideoFile);

    public string LastFramePath(string taskId) => Path.Combine(DirectoryOf(taskId), TaskJson.LastFrameFile);

    /// <summary>The frame size of a resolution and a (resolved) ratio.</summary>
    public (int Width, int Height) FrameSize(string resolution, string ratio)
    {
        if (resolution == "4k")
        {
            return Frames4K[ratio];
        }

        return catalog.TryGetFrameSize(resolution, ratio, out var width, out var height)
            ? (width, height)
            : throw new InvalidOperationException($"No frame size for {resolution} {ratio}.");
    }

    public async Task RenderAsync(SimulatedTask task, RenderInputs inputs, CancellationToken cancellationToken)
    {
        var directory = DirectoryOf(task.Id);
        Directory.CreateDirectory(directory);
        if (reuseRenders && inputs.Plates.Count == 0 && inputs.LastFrame is null)
        {
            var key = $"{task.Width}x{task.Height}-{task.Spec.Duration}s-{(task.Spec.GenerateAudio ? "audio" : "mute")}-{(task.Spec.ReturnLastFrame ? "frame" : "video")}";
            var shared = await _shared.GetOrAdd(key, k => new Lazy<Task<string>>(() => RenderSharedAsync(task, k, cancellationToken))).Value;
            foreach (var file in Directory.EnumerateFiles(shared))
            {
                File.Copy(file, Path.Combine(directory, Path.GetFileName(file)), overwrite: true);
            }

            return;
        }

        var plates = new List<string>();
        for (var i = 0; i < inputs.Plates.Count; i++)
        {
            plates.Add(await WriteAsync(inputs.Plates[i], Path.Combine(directory, $"plate-{i}"), cancellationToken));
        }

        var lastFrame = inputs.LastFrame is { } last ? await WriteAsync(last, Path.Combine(directory, "plate-last"), cancellationToken) : null;
        var spec = new RenderSpec
        {
            Width = task.Width,
            Height = task.Height,
            FramesPerSecond = UpstreamSimulator.FramesPerSecond,
            DurationSeconds = task.Spec.Duration,
            Prompt = task.Spec.Prompt,
            Seed = task.Seed,
            Images = plates,
            LastFrameImage = lastFrame,
            GenerateAudio = task.Spec.GenerateAudio,
            Watermark = task.Spec.Watermark,
            OutputVideoPath = VideoPath(task.Id),
            OutputLastFramePath = task.Spec.ReturnLastFrame ? LastFramePath(task.Id) : null,
        };
        try
        {
            await renderer.RenderAsync(spec, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException && (plates.Count > 0 || lastFrame is not null))
        {
            // The create only checked that the data URL was well-formed; a picture that does not decode is not worth
            // failing a rehearsal for, so the clip is made again from the prompt alone (a second failure fails the task).
            logger.PlateUnusable(task.Id, e.Message);
            await renderer.RenderAsync(spec with { Images = [], LastFrameImage = null }, cancellationToken);
        }
    }

    private async Task<string> RenderSharedAsync(SimulatedTask first, string key, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(dataDirectory, "shared-" + key);
        Directory.CreateDirectory(directory);
        await renderer.RenderAsync(
            new RenderSpec
            {
                Width = first.Width,
                Height = first.Height,
                FramesPerSecond = UpstreamSimulator.FramesPerSecond,
                DurationSeconds = first.Spec.Duration,
                Prompt = first.Spec.Prompt,
                Seed = first.Seed,
                GenerateAudio = first.Spec.GenerateAudio,
                Watermark = first.Spec.Watermark,
                OutputVideoPath = Path.Combine(directory, TaskJson.VideoFile),
                OutputLastFramePath = first.Spec.ReturnLastFrame ? Path.Combine(directory, TaskJson.LastFrameFile) : null,
            },
            cancellationToken);
        return directory;
    }

    private static async Task<string> WriteAsync(InlineImage image, string stem, CancellationToken cancellationToken)
    {
        var path = $"{stem}.{(image.Extension.All(char.IsAsciiLetterOrDigit) ? image.Extension : "img")}";
        await File.WriteAllBytesAsync(path, image.Bytes, cancellationToken);
        return path;
    }
}
