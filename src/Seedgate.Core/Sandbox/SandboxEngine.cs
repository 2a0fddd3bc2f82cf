using System.Runtime.CompilerServices;
using Seedgate.Core.Catalog;
using Seedgate.Core.Engines;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Media;
using Seedgate.Core.Storage;

namespace Seedgate.Core.Sandbox;

/// <summary>
/// The built-in engine: brings a job's references into its scratch directory (holding images to the model's minimum
/// side), works out the frame size
/// (resolving "adaptive" from the first visual reference), checks reference clips the way the real service
/// does, and renders with <see cref="SandboxRenderer"/>.
/// </summary>
internal sealed class SandboxEngine(
    SandboxRenderer renderer,
    Ffmpeg ffmpeg,
    ReferenceFetcher fetcher,
    SmallImageRule smallImages,
    IBlobStore blobs,
    ModelCatalog catalog) : IVideoEngine
{
    private const double MinClipSeconds = 2;

    // The last frame of each clip rendered here, by the probe-free description its result carries (EngineResult.VideoInfo,
    // compared by reference): a long take's next segment, handed that description back, starts on the frame itself
    // instead of decoding it from the stored file. An entry lives only as long as its description is referenced.
    private readonly ConditionalWeakTable<MediaInfo, YuvFrame> _lastFrames = new();
    private const double MaxClipSeconds = 15;

    public string Name => "sandbox";

    /// <summary>Renders in one step.</summary>
    public async Task<EngineStep> StepAsync(EngineWork work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        Directory.CreateDirectory(work.Directory);
        var request = work.Job.Request;
        var files = await FetchReferencesAsync(work, cancellationToken);
        try
        {
            await HoldImagesToTheMinimumAsync(work.Job.Request, files, cancellationToken);
            await CheckPicturesAsync(files, cancellationToken);
            await CheckClipsAsync(files, cancellationToken);
            var ratio = request.Ratio == "adaptive" ? await AdaptiveRatioAsync(files, cancellationToken) : request.Ratio!;
            if (!catalog.TryGetFrameSize(request.Resolution!, ratio, out var width, out var height))
            {
                throw new SeedgateException(SeedgateError.Invalid("resolution", $"No frame size for {request.Resolution} {ratio}."));
            }

            var seconds = request.Duration!.Value;
            var fps = request.FramesPerSecond!.Value;
            var spec = new RenderSpec
            {
                Width = width,
                Height = height,
                FramesPerSecond = fps,
                DurationSeconds = seconds,
                Prompt = request.Prompt ?? "",
                NegativePrompt = request.NegativePrompt,
                Seed = request.Seed!.Value,
                Style = request.Style,
                CameraMotion = request.CameraFixed ? null : request.CameraMotion,

                // A plain video-to-video carries the reference's move on unless the request says otherwise; a long take's
                // segments keep the take's own camera, moving or still.
                CarryOnCamera = !request.CameraFixed && !request.LongTake && work.Segment is null,
                Images = [.. files.Where(f => f.Reference.Role is ReferenceRole.FirstFrame or ReferenceRole.ReferenceImage).Select(f => f.Path)],
                LastFrameImage = files.FirstOrDefault(f => f.Reference.Role == ReferenceRole.LastFrame)?.Path,
                ContinueFromVideo = files.LastOrDefault(f => f.Reference.Kind == ReferenceKind.Video) is { } video
                    ? new VideoInput(video.Path, await ProbeAsync(video, cancellationToken))
                    {
                        LastFrame = video.Info is { } known && _lastFrames.TryGetValue(known, out var frame) ? frame : null,
                    }
                    : null,
                Audio = files.FirstOrDefault(f => f.Reference.Kind == ReferenceKind.Audio)?.Path,
                GenerateAudio = request.GenerateAudio!.Value,
                Watermark = request.Watermark,
                OutputVideoPath = Path.Combine(work.Directory, "video.mp4"),
                OutputLastFramePath = request.ReturnLastFrame ? Path.Combine(work.Directory, "last_frame.png") : null,
            };
            var lastFrame = await renderer.RenderFrameAsync(spec, cancellationToken);
            var made = SandboxRenderer.OutputInfo(spec);
            _lastFrames.AddOrUpdate(made, lastFrame);

            var tokens = (long)width * height * fps * seconds / 1024;
            return new EngineStep.Completed(new EngineResult(
                spec.OutputVideoPath, spec.OutputLastFramePath, width, height, fps, seconds, spec.GenerateAudio, ratio, tokens)
            {
                VideoInfo = made,
            });
        }
        catch (InvalidMediaException ex)
        {
            var param = files.FirstOrDefault(f => f.Path == ex.Path)?.Reference.Param ?? "content";
            throw new SeedgateException(SeedgateError.Invalid(param, $"{param}: {ex.Message}"), ex);
        }
        catch (FfmpegException ex) when (ex.ExitCode is > 0 and < 128)
        {
            // ffmpeg ran and refused (not a timeout, nor killed by a signal): the same request would fail the same way again.
            throw new SeedgateException(
                new SeedgateError(ErrorCodes.InternalServiceError, "The sandbox renderer could not render this request; the details were logged."), ex);
        }
    }

    private async Task<List<ReferenceFile>> FetchReferencesAsync(EngineWork work, CancellationToken cancellationToken)
    {
        var files = new List<ReferenceFile>();
        var references = work.Job.Request.References;
        for (var i = 0; i < references.Count; i++)
        {
            var reference = references[i];
            var path = Path.Combine(work.Directory, $"ref-{i}");
            if (reference.Url.StartsWith(JobSubmitter.BlobScheme, StringComparison.Ordinal))
            {
                if (!await blobs.CopyToFileAsync(reference.Url[JobSubmitter.BlobScheme.Length..], path, cancellationToken))
                {
                    throw new SeedgateException(new SeedgateError(
                        ErrorCodes.InternalServiceError, $"{reference.Param}: the uploaded input is missing from storage."));
                }
            }
            else
            {
                await fetcher.FetchToFileAsync(
                    new Uri(reference.Url), path, fetcher.Options.MaxBytesFor(reference.Kind), reference.Param, cancellationToken);
            }

            files.Add(new ReferenceFile(reference, path)
            {
                Info = work.Segment?.Previous is { } previous && previous.Url == reference.Url ? previous.Info : null,
            });
        }

        return files;
    }

    /// <summary>
    /// Reference images under the model's min_image_side: refused (a permanent failure naming the field) or, where the
    /// plan allowed it at submit, scaled up in the scratch copy. Fetched images are first measured here; inline ones were
    /// held to the rule at submit, and pass again unchanged.
    /// </summary>
    private async Task HoldImagesToTheMinimumAsync(GenerationRequest request, List<ReferenceFile> files, CancellationToken cancellationToken)
    {
        var minSide = catalog.Find(request.Model)?.MinImageSide ?? ModelSpec.DefaultMinImageSide;
        foreach (var file in files.Where(f => f.Reference.Kind == ReferenceKind.Image))
        {
            await smallImages.ApplyToFileAsync(file.Path, minSide, request.UpscaleSmallImages, file.Reference.Param, cancellationToken);
        }
    }

    /// <summary>Reference pictures and videos: each side within the configured range, read from the header before any decode.</summary>
    private async Task CheckPicturesAsync(List<ReferenceFile> files, CancellationToken cancellationToken)
    {
        foreach (var file in files.Where(f => f.Reference.Kind is ReferenceKind.Image or ReferenceKind.Video))
        {
            var info = await ProbeAsync(file, cancellationToken);
            if (info.Width > 0 && fetcher.Options.CheckPictureSize(info.Width, info.Height, file.Reference.Param) is { } problem)
            {
                throw new SeedgateException(problem);
            }
        }
    }

    /// <summary>Reference videos and audio clips: 2–15 s each, 15 s in total per kind (as Seedance 2.0 requires).</summary>
    private async Task CheckClipsAsync(List<ReferenceFile> files, CancellationToken cancellationToken)
    {
        foreach (var kind in new[] { ReferenceKind.Video, ReferenceKind.Audio })
        {
            double total = 0;
            foreach (var file in files.Where(f => f.Reference.Kind == kind))
            {
                var info = await ProbeAsync(file, cancellationToken);
                if (info.MissingVideoFrames > 0)
                {
                    throw new InvalidMediaException(file.Path, $"'{System.IO.Path.GetFileName(file.Path)}' is truncated: {info.MissingVideoFrames} of its frames are missing.");
                }

                if (info.DurationSeconds is < MinClipSeconds or > MaxClipSeconds)
                {
                    throw new SeedgateException(SeedgateError.Invalid(
                        file.Reference.Param,
                        $"{file.Reference.Param}: each reference clip must last {MinClipSeconds}–{MaxClipSeconds} s (got {info.DurationSeconds:0.##} s)."));
                }

                total += info.DurationSeconds;
                if (total > MaxClipSeconds + 0.05)
                {
                    throw new SeedgateException(SeedgateError.Invalid(
                        file.Reference.Param,
                        $"{file.Reference.Param}: reference {kind.ToString().ToLowerInvariant()} clips may last {MaxClipSeconds} s in total."));
                }
            }
        }
    }

    /// <summary>The catalog ratio nearest to the first image or video reference's shape; 16:9 without one.</summary>
    private async Task<string> AdaptiveRatioAsync(List<ReferenceFile> files, CancellationToken cancellationToken)
    {
        var visual = files.FirstOrDefault(f => f.Reference.Kind != ReferenceKind.Audio);
        if (visual is null)
        {
            return "16:9";
        }

        var info = await ProbeAsync(visual, cancellationToken);
        if (info.Width <= 0 || info.Height <= 0)
        {
            throw new SeedgateException(SeedgateError.Invalid(visual.Reference.Param, $"{visual.Reference.Param}: the reference has no picture."));
        }

        var aspect = Math.Log((double)info.Width / info.Height);
        return ModelCatalog.Ratios.MinBy(r =>
        {
            var parts = r.Split(':');
            return Math.Abs(aspect - Math.Log(double.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) /
                double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)));
        })!;
    }

    /// <summary>The file's probe, once per step (the checks, the ratio and the renderer all read it).</summary>
    private async Task<MediaInfo> ProbeAsync(ReferenceFile file, CancellationToken cancellationToken)
    {
        try
        {
            return file.Info ??= await ffmpeg.ProbeAsync(file.Path, cancellationToken);
        }
        catch (FfmpegException ex)
        {
            throw new SeedgateException(SeedgateError.Invalid(file.Reference.Param, $"{file.Reference.Param}: the file cannot be read as media."), ex);
        }
    }

    private sealed record ReferenceFile(Reference Reference, string Path)
    {
        public MediaInfo? Info { get; set; }
    }
}
