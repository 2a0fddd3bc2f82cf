using System.Globalization;
using Microsoft.Extensions.Logging;
using Seedgate.Core.Generation;
using Seedgate.Core.Logging;
using Seedgate.Core.Media;

namespace Seedgate.Core.Sandbox;

/// <summary>
/// The sandbox engine's renderer: a fast, deterministic, procedural stand-in for a video model. Frames are
/// synthesised in managed code as yuv420p and streamed to ffmpeg's stdin; ffmpeg encodes H.264 + AAC into MP4.
/// </summary>
public sealed partial class SandboxRenderer(Ffmpeg ffmpeg, ILogger<SandboxRenderer> logger, TimeProvider timeProvider)
{
    /// <summary>
    /// The video encoder settings, shared with the benchmark so it compares like with like. veryfast/CRF 23:
    /// medium is ~2x slower for a few percent of size on content this simple, while ultrafast turns off CABAC and
    /// the deblocker and shows banding in the sky gradients. Colour is tagged BT.709 limited range, the space the
    /// frames are synthesised in.
    /// </summary>
    public static IReadOnlyList<string> VideoEncoderArguments { get; } =
    [
        "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
    ];

    /// <summary>AAC at 48 kHz stereo, as SPEC §4 asks.</summary>
    public static IReadOnlyList<string> AudioEncoderArguments { get; } = ["-c:a", "aac", "-b:a", "128k", "-ar", "48000", "-ac", "2"];

    /// <summary>The width of the grey copies a reference video's camera move is estimated on.</summary>
    private const int MotionWidth = 192;

    /// <summary>Crossfades between reference images take at most this long.</summary>
    private const double MaxTransitionSeconds = 1.0;

    /// <summary>The last-frame image fades in over this final share of the clip.</summary>
    private const double LastFrameShare = 0.4;

    /// <summary>Renders <paramref name="spec"/> to <see cref="RenderSpec.OutputVideoPath"/> (and the last-frame PNG if asked).</summary>
    /// <exception cref="InvalidMediaException">An input file is not usable media of the kind its field needs.</exception>
    /// <exception cref="FfmpegException">ffmpeg failed for another reason.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; ffmpeg has been killed and temporary files removed.</exception>
    public Task RenderAsync(RenderSpec spec, CancellationToken cancellationToken) => RenderFrameAsync(spec, cancellationToken);

    /// <summary>Renders like <see cref="RenderAsync"/>, and returns the clip's last frame as composed (before encoding).</summary>
    internal async Task<YuvFrame> RenderFrameAsync(RenderSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Validate(spec);
        var started = timeProvider.GetTimestamp();
        int w = spec.Width, h = spec.Height;
        var frameCount = FrameCount(spec);
        var output = Path.GetFullPath(spec.OutputVideoPath);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);

        // Temporary files live next to the output (same file system, so the final move is a rename) and are
        // removed whatever happens; the output only ever appears complete.
        var stem = $"{output}.{Guid.NewGuid():N}";
        var partialVideo = stem + ".partial.mp4";
        var wavPath = stem + ".audio.wav";
        var partialPng = stem + ".partial.png";
        try
        {
            var plates = new List<YuvFrame>();
            var (pw, ph) = PlateSize(w, h);
            if (spec.ContinueFromVideo is { } video)
            {
                // Probed once for the plate and the camera estimate below.
                video = video with { Info = await InspectAsync(video, cancellationToken).ConfigureAwait(false) };
                spec = spec with { ContinueFromVideo = video };

                // At the frame's own size: the continuation starts on the plate as it is (sampled 1:1, not resampled).
                if (video.LastFrame is { } held && held.Width == w && held.Height == h)
                {
                    LogContinuedFromHeldFrame(video.Path);
                    plates.Add(held);
                }
                else
                {
                    plates.Add(await DecodeLastVideoFrameAsync(video, w, h, cancellationToken).ConfigureAwait(false));
                }
            }

            foreach (var image in spec.Images)
            {
                plates.Add(await DecodeImageAsync(image, pw, ph, cancellationToken).ConfigureAwait(false));
            }

            var lastPlate = spec.LastFrameImage is { } last ? await DecodeImageAsync(last, pw, ph, cancellationToken).ConfigureAwait(false) : null;

            if (spec.GenerateAudio)
            {
                var samples = spec.Audio is { } audio
                    ? await DecodeAudioAsync(audio, spec.DurationSeconds, cancellationToken).ConfigureAwait(false)
                    : AmbientAudio.Synthesize(new PromptWords(spec.Prompt, spec.NegativePrompt), (ulong)spec.Seed, AudioFrames(spec));
                await AmbientAudio.WriteWavAsync(wavPath, samples, cancellationToken).ConfigureAwait(false);
            }

            if (spec.ContinueFromVideo is { } reference && spec.CameraMotion is null && spec.CarryOnCamera)
            {
                spec = spec with { CameraMotion = await EstimateCameraAsync(reference, w, h, cancellationToken).ConfigureAwait(false) };
            }

            var composer = new FrameComposer(spec, plates, lastPlate, frameCount);
            var lastFrame = await EncodeAsync(spec, composer, frameCount, partialVideo, wavPath, cancellationToken).ConfigureAwait(false);

            if (spec.OutputLastFramePath is { } pngPath)
            {
                await WritePngAsync(lastFrame, partialPng, cancellationToken).ConfigureAwait(false);
                var fullPng = Path.GetFullPath(pngPath);
                Directory.CreateDirectory(Path.GetDirectoryName(fullPng)!);
                File.Move(partialPng, fullPng, overwrite: true);
            }

            File.Move(partialVideo, output, overwrite: true);
            var elapsed = timeProvider.GetElapsedTime(started);
            LogRendered(frameCount, w, h, spec.GenerateAudio, elapsed.TotalMilliseconds);
            return lastFrame;
        }
        finally
        {
            foreach (var temp in new[] { partialVideo, wavPath, partialPng })
            {
                TryDelete(temp);
            }
        }
    }

    /// <summary>
    /// Synthesises every frame of a text-only spec without encoding and returns how long that took: the benchmark
    /// uses it to split render time into synthesis and encode.
    /// </summary>
    public static TimeSpan MeasureSynthesis(RenderSpec spec, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(timeProvider);
        Validate(spec);
        if (spec.Images.Count > 0 || spec.LastFrameImage is not null || spec.ContinueFromVideo is not null)
        {
            throw new ArgumentException("Only text-to-video specs can be synthesised without ffmpeg.", nameof(spec));
        }

        var frames = FrameCount(spec);
        var composer = new FrameComposer(spec, [], null, frames);
        var frame = new YuvFrame(spec.Width, spec.Height);
        var started = timeProvider.GetTimestamp();
        for (var i = 0; i < frames; i++)
        {
            composer.Compose(frame, i);
        }

        return timeProvider.GetElapsedTime(started);
    }

    /// <summary>round(duration × fps), at least one frame.</summary>
    /// <summary>
    /// What a render of <paramref name="spec"/> writes, by construction (the encoder settings above): what a probe of it
    /// says, so that a long take's next segment need not probe the segment it continues.
    /// </summary>
    public static MediaInfo OutputInfo(RenderSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var audio = spec.GenerateAudio;
        return new MediaInfo(
            "mov,mp4,m4a,3gp,3g2,mj2", spec.Width, spec.Height, FrameCount(spec) / (double)spec.FramesPerSecond, spec.FramesPerSecond,
            "h264", "yuv420p", audio, audio ? "aac" : null, audio ? 48000 : 0, audio ? 2 : 0);
    }

    public static int FrameCount(RenderSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Math.Max(1, (int)Math.Round(spec.DurationSeconds * spec.FramesPerSecond, MidpointRounding.AwayFromZero));
    }

    internal static (int Width, int Height) PlateSize(int width, int height) => PlateSampler.PlateSize(width, height);

    private static int AudioFrames(RenderSpec spec) => (int)Math.Round(spec.DurationSeconds * AmbientAudio.SampleRate);

    private static void Validate(RenderSpec spec)
    {
        if (spec.Width <= 0 || spec.Height <= 0 || spec.Width % 2 != 0 || spec.Height % 2 != 0)
        {
            throw new ArgumentException($"Frame size must be positive and even for yuv420p; got {spec.Width}x{spec.Height}.", nameof(spec));
        }

        if (spec.FramesPerSecond <= 0 || spec.DurationSeconds <= 0 || double.IsNaN(spec.DurationSeconds) || spec.DurationSeconds > 3600)
        {
            throw new ArgumentException($"Invalid timing: {spec.DurationSeconds} s at {spec.FramesPerSecond} fps.", nameof(spec));
        }
    }

    private async Task<YuvFrame> EncodeAsync(
        RenderSpec spec, FrameComposer composer, int frameCount, string partialVideo, string wavPath, CancellationToken cancellationToken)
    {
        var inv = CultureInfo.InvariantCulture;
        var args = new List<string>
        {
            "-loglevel", "warning",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", $"{spec.Width}x{spec.Height}",
            "-framerate", spec.FramesPerSecond.ToString(inv), "-i", "pipe:0",
        };
        if (spec.GenerateAudio)
        {
            args.AddRange(["-protocol_whitelist", Ffmpeg.InputProtocols, "-f", "wav", "-i", Ffmpeg.FileInput(wavPath)]);
        }

        args.AddRange(["-map", "0:v:0"]);
        args.AddRange(VideoEncoderArguments);
        // The last frame is a keyframe: a continuation of this clip (a long take's next segment) decodes just that frame.
        args.AddRange(["-frames:v", frameCount.ToString(inv), "-force_key_frames", $"expr:eq(n,{(frameCount - 1).ToString(inv)})"]);
        if (spec.GenerateAudio)
        {
            args.AddRange(["-map", "1:a:0"]);
            args.AddRange(AudioEncoderArguments);
        }

        args.AddRange(["-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", "-y", Ffmpeg.FileInput(partialVideo)]);

        // Two frame buffers: frame i+1 is synthesised while frame i is still being written to the pipe.
        YuvFrame[] buffers = [new(spec.Width, spec.Height), new(spec.Width, spec.Height)];
        await ffmpeg.RunAsync(
            args,
            writeStdin: async (stdin, ct) =>
            {
                var pending = Task.CompletedTask;
                for (var i = 0; i < frameCount; i++)
                {
                    ct.ThrowIfCancellationRequested();
                    var frame = buffers[i & 1];
                    composer.Compose(frame, i);
                    await pending.ConfigureAwait(false);
                    pending = stdin.WriteAsync(frame.Data, ct).AsTask();
                }

                await pending.ConfigureAwait(false);
            },
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return buffers[(frameCount - 1) & 1];
    }

    private async Task WritePngAsync(YuvFrame frame, string path, CancellationToken cancellationToken)
    {
        await ffmpeg.RunAsync(
            [
                "-loglevel", "error",
                "-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", $"{frame.Width}x{frame.Height}", "-i", "pipe:0",
                "-vf", "scale=in_color_matrix=bt709:in_range=tv,format=rgb24",
                "-frames:v", "1", "-c:v", "png", "-f", "image2", "-update", "1", "-y", Ffmpeg.FileInput(path),
            ],
            writeStdin: (stdin, ct) => stdin.WriteAsync(frame.Data, ct).AsTask(),
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<YuvFrame> DecodeImageAsync(string path, int width, int height, CancellationToken cancellationToken)
    {
        var info = await ffmpeg.InspectAsync(path, MediaKind.Image, cancellationToken).ConfigureAwait(false);
        var plate = await DecodePlateAsync(path, info, [], width, height, lastFrame: false, cancellationToken).ConfigureAwait(false);
        return plate ?? throw new InvalidMediaException(path, $"'{Path.GetFileName(path)}' has no decodable picture.");
    }

    private async Task<YuvFrame> DecodeLastVideoFrameAsync(VideoInput video, int width, int height, CancellationToken cancellationToken)
    {
        var path = video.Path;
        var info = await InspectAsync(video, cancellationToken).ConfigureAwait(false);

        // Seek to just before the end without -accurate_seek: ffmpeg starts at the last keyframe before that point and
        // decodes from there to the end, so the final frame is the newest one kept (one frame when the clip ends on a
        // keyframe, as the sandbox's own clips do). A file whose stated duration runs past its video gives nothing: then
        // the whole file is decoded.
        var halfFrame = 0.5 / (info.FramesPerSecond > 0 ? info.FramesPerSecond : 24);
        var seek = Math.Max(0, info.DurationSeconds - halfFrame).ToString("0.######", CultureInfo.InvariantCulture);
        var plate = await DecodePlateAsync(path, info, ["-noaccurate_seek", "-ss", seek], width, height, lastFrame: true, cancellationToken).ConfigureAwait(false)
            ?? await DecodePlateAsync(path, info, [], width, height, lastFrame: true, cancellationToken).ConfigureAwait(false);
        return plate ?? throw new InvalidMediaException(path, $"'{Path.GetFileName(path)}' has no decodable frames.");
    }

    /// <summary>
    /// The camera move of a video's last second (<see cref="MotionEstimate"/>), from small grey copies of the frame a
    /// second before its end and of its last frame; null when it held still or nothing clear showed.
    /// </summary>
    /// <summary>The reference video checked as a video: from the caller's probe when it has one, else probed here.</summary>
    private async Task<MediaInfo> InspectAsync(VideoInput video, CancellationToken cancellationToken) =>
        video.Info is { } known
            ? Ffmpeg.Inspect(video.Path, known, MediaKind.Video)
            : await ffmpeg.InspectAsync(video.Path, MediaKind.Video, cancellationToken).ConfigureAwait(false);

    internal async Task<CameraMotion?> EstimateCameraAsync(VideoInput video, int width, int height, CancellationToken cancellationToken)
    {
        var info = await InspectAsync(video, cancellationToken).ConfigureAwait(false);
        var w = MotionWidth;
        var h = Math.Max(2, (int)Math.Round(MotionWidth * height / (double)width / 2) * 2);
        var seek = Math.Max(0, info.DurationSeconds - 1).ToString("0.###", CultureInfo.InvariantCulture);
        byte[]? first = null;
        var last = new byte[w * h];
        var next = new byte[w * h];
        try
        {
            await ffmpeg.RunAsync(
                [
                    "-loglevel", "error", "-protocol_whitelist", Ffmpeg.InputProtocols, "-f", info.Demuxer, "-ss", seek,
                    "-i", Ffmpeg.FileInput(video.Path), "-map", "0:v:0",
                    "-vf", $"scale={w}:{h}:force_original_aspect_ratio=increase:flags=area,crop={w}:{h},format=gray", "-f", "rawvideo", "pipe:1",
                ],
                readStdout: async (stdout, ct) =>
                {
                    while (await stdout.ReadAtLeastAsync(next, next.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false) == next.Length)
                    {
                        first ??= (byte[])next.Clone();
                        (last, next) = (next, last);
                    }
                },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (FfmpegException e)
        {
            throw new InvalidMediaException(video.Path, $"'{Path.GetFileName(video.Path)}' could not be decoded: {LastLine(e.StderrTail)}", e);
        }

        return first is null ? null : MotionEstimate.Between(first, last, w, h);
    }

    /// <summary>
    /// Decodes a picture, cover-fitted (scale to fill, centre-crop) to the plate size, as BT.709 limited-range yuv420p.
    /// Returns null when ffmpeg produced no frame.
    /// </summary>
    private async Task<YuvFrame?> DecodePlateAsync(
        string path, MediaInfo info, string[] inputOptions, int width, int height, bool lastFrame, CancellationToken cancellationToken)
    {
        var args = new List<string> { "-loglevel", "error", "-protocol_whitelist", Ffmpeg.InputProtocols, "-f", info.Demuxer };
        if (info.Demuxer == "image2")
        {
            args.AddRange(["-pattern_type", "none"]); // a '%' in a file name is not a sequence pattern
        }

        args.AddRange(inputOptions);
        args.AddRange(["-i", Ffmpeg.FileInput(path), "-map", "0:v:0"]);
        if (!lastFrame)
        {
            args.AddRange(["-frames:v", "1"]);
        }

        args.AddRange([
            "-vf", $"scale={width}:{height}:force_original_aspect_ratio=increase:flags=bicubic:out_color_matrix=bt709:out_range=tv,"
                + $"crop={width}:{height},format=yuv420p",
            "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1",
        ]);

        var plate = new YuvFrame(width, height);
        var got = false;
        try
        {
            await ffmpeg.RunAsync(
                args,
                readStdout: async (stdout, ct) =>
                {
                    // Keep the newest complete frame; for a still image there is exactly one.
                    var next = new byte[plate.Data.Length];
                    while (await stdout.ReadAtLeastAsync(next, next.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false) == next.Length)
                    {
                        next.CopyTo(plate.Data, 0);
                        got = true;
                    }
                },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (FfmpegException e)
        {
            throw new InvalidMediaException(path, $"'{Path.GetFileName(path)}' could not be decoded: {LastLine(e.StderrTail)}", e);
        }

        return got ? plate : null;
    }

    /// <summary>Decodes a reference audio clip to 48 kHz stereo and loops or trims it to exactly the clip's length.</summary>
    private async Task<float[]> DecodeAudioAsync(string path, double seconds, CancellationToken cancellationToken)
    {
        var info = await ffmpeg.InspectAsync(path, MediaKind.Audio, cancellationToken).ConfigureAwait(false);
        using var pcm = new MemoryStream();
        try
        {
            await ffmpeg.RunAsync(
                [
                    "-loglevel", "error", "-protocol_whitelist", Ffmpeg.InputProtocols, "-f", info.Demuxer, "-i", Ffmpeg.FileInput(path),
                    "-map", "0:a:0", "-t", seconds.ToString("0.######", CultureInfo.InvariantCulture),
                    "-ac", "2", "-ar", AmbientAudio.SampleRate.ToString(CultureInfo.InvariantCulture), "-c:a", "pcm_s16le", "-f", "s16le", "pipe:1",
                ],
                readStdout: (stdout, ct) => stdout.CopyToAsync(pcm, ct),
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (FfmpegException e)
        {
            throw new InvalidMediaException(path, $"'{Path.GetFileName(path)}' could not be decoded: {LastLine(e.StderrTail)}", e);
        }

        var bytes = pcm.GetBuffer().AsSpan(0, (int)pcm.Length);
        var available = bytes.Length / 2 / 2 * 2; // whole stereo sample frames, as sample count
        if (available == 0)
        {
            throw new InvalidMediaException(path, $"'{Path.GetFileName(path)}' has no decodable audio.");
        }

        var wanted = (int)Math.Round(seconds * AmbientAudio.SampleRate) * 2;
        var samples = new float[wanted];
        for (var i = 0; i < wanted; i++)
        {
            // Shorter clips loop; longer ones were already cut by -t.
            var j = i % available;
            samples[i] = (short)(bytes[2 * j] | (bytes[(2 * j) + 1] << 8)) / 32768f;
        }

        return samples;
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "unknown error" : FfmpegException.ForCaller(lines[^1]);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file must not mask the real outcome.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [LoggerMessage(EventId = LogEvents.ContinuedFromHeldFrame, Level = LogLevel.Debug, Message = "Continuing {VideoPath} from its last frame as composed (not decoded)")]
    private partial void LogContinuedFromHeldFrame(string videoPath);

    [LoggerMessage(EventId = LogEvents.Rendered, Level = LogLevel.Information, Message = "Rendered {Frames} frames at {Width}x{Height} (audio {Audio}) in {ElapsedMs:F0} ms")]
    private partial void LogRendered(int frames, int width, int height, bool audio, double elapsedMs);

    /// <summary>Builds frame i of the clip: base picture (scene or plates), last-frame blend, particles, grade, watermark.</summary>
    private sealed class FrameComposer
    {
        private readonly RenderSpec _spec;
        private readonly List<YuvFrame> _plates;
        private readonly YuvFrame? _lastPlate;
        private readonly int _frameCount;
        private readonly Scene? _scene;
        private readonly Particles _particles;
        private readonly ColorGrade? _grade;
        private readonly YuvFrame _scratch;
        private readonly bool _continuing;

        public FrameComposer(RenderSpec spec, List<YuvFrame> plates, YuvFrame? lastPlate, int frameCount)
        {
            _spec = spec;
            _plates = plates;
            _lastPlate = lastPlate;
            _frameCount = frameCount;
            var words = new PromptWords(spec.Prompt, spec.NegativePrompt);
            // The prompt is mixed into the seed, so two prompts with one seed still differ in layout.
            var seed = (ulong)spec.Seed ^ Rng.HashText(spec.Prompt);
            _scene = plates.Count == 0 ? new Scene(words, seed, spec.Width, spec.Height) : null;
            _particles = new Particles(words, seed, spec.Width, spec.Height);
            _continuing = spec.ContinueFromVideo is not null;
            // A continued video already carries its grade: grading its last frame again would shift the colours at the joint.
            _grade = _continuing ? null : ColorGrade.For(spec.Style, spec.Width, spec.Height, seed);
            _scratch = new YuvFrame(spec.Width, spec.Height);
        }

        public void Compose(YuvFrame frame, int index)
        {
            // A continuation's frame 0 is the one after the reference's last (which is t = 0): no frame is shown twice.
            var t = _continuing
                ? (index + 1) / (double)_frameCount
                : _frameCount > 1 ? index / (double)(_frameCount - 1) : 1.0;
            var seconds = index / (double)_spec.FramesPerSecond;
            int w = _spec.Width, h = _spec.Height;
            var view = new Scene.View(1, 0, 0);

            if (_scene is not null)
            {
                _scene.Render(frame, seconds, CameraPath.At(_spec.CameraMotion, t, w, h), _spec.CameraMotion);
                view = _scene.NearView;
            }
            else
            {
                // Plates as a sequence: equal segments, each with the full camera move, crossfading into the next.
                var count = _plates.Count;
                var segment = 1.0 / count;
                var index0 = Math.Min((int)(t / segment), count - 1);
                var local = (t - (index0 * segment)) / segment;
                var camera = _continuing && index0 == 0 ? CameraPath.Continuing(_spec.CameraMotion, local, w, h) : CameraPath.At(_spec.CameraMotion, local, w, h);
                PlateSampler.Draw(_plates[index0], camera, frame);
                if (index0 < count - 1)
                {
                    var transition = Math.Min(0.3 * segment, MaxTransitionSeconds / _spec.DurationSeconds);
                    var start = ((index0 + 1) * segment) - transition;
                    if (t > start)
                    {
                        PlateSampler.Draw(_plates[index0 + 1], CameraPath.At(_spec.CameraMotion, 0, w, h), _scratch);
                        frame.BlendFrom(_scratch, (int)Math.Round(256 * Ease.InOut((t - start) / transition)));
                    }
                }
            }

            if (_lastPlate is not null && t > 1 - LastFrameShare)
            {
                PlateSampler.Draw(_lastPlate, CameraState.Still, _scratch);
                frame.BlendFrom(_scratch, (int)Math.Round(256 * Ease.InOut((t - (1 - LastFrameShare)) / LastFrameShare)));
            }

            if (!_particles.IsEmpty)
            {
                _particles.Draw(frame, seconds, view);
            }

            _grade?.Apply(frame, index);
            if (_spec.Watermark)
            {
                Watermark.Apply(frame);
            }
        }
    }
}
