using Seedgate.Core.Generation;

namespace Seedgate.Core.Sandbox;

/// <summary>
/// Everything the sandbox renderer needs for one clip, with every input already a local file.
/// The same spec always gives the same frames.
/// </summary>
public sealed record RenderSpec
{
    public required int Width { get; init; }
    public required int Height { get; init; }
    public int FramesPerSecond { get; init; } = 24;

    /// <summary>Exact clip length in seconds; the clip has <c>Duration * FramesPerSecond</c> frames.</summary>
    public required double DurationSeconds { get; init; }

    public string Prompt { get; init; } = "";
    public string? NegativePrompt { get; init; }
    public required long Seed { get; init; }
    public Style? Style { get; init; }
    public CameraMotion? CameraMotion { get; init; }

    /// <summary>
    /// With <see cref="ContinueFromVideo"/> and no <see cref="CameraMotion"/>: the reference's own camera move (estimated
    /// from its last second) carries on. False: no move means the camera holds still.
    /// </summary>
    public bool CarryOnCamera { get; init; }

    /// <summary>Image plates in order: the first frame, or several reference images shown as a sequence.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>A last-frame image blended in towards the end, or null.</summary>
    public string? LastFrameImage { get; init; }

    /// <summary>A reference video whose last frame the clip continues from, or null.</summary>
    public VideoInput? ContinueFromVideo { get; init; }

    /// <summary>A reference audio clip used as the soundtrack (when audio is on), or null for a generated bed.</summary>
    public string? Audio { get; init; }

    public bool GenerateAudio { get; init; }
    public bool Watermark { get; init; }

    public required string OutputVideoPath { get; init; }

    /// <summary>Where to write a PNG of the last frame, or null.</summary>
    public string? OutputLastFramePath { get; init; }
}

/// <summary>A local video file, with its probe when the caller already has one (the renderer then does not probe again).</summary>
/// <param name="Path">The file.</param>
/// <param name="Info">What <see cref="Media.Ffmpeg.ProbeAsync"/> said about it, or null.</param>
public sealed record VideoInput(string Path, Media.MediaInfo? Info = null)
{
    /// <summary>
    /// The video's last frame as the renderer composed it, when this process made the video (a long take's previous
    /// segment): the continuation starts on it instead of decoding it from the file.
    /// </summary>
    internal YuvFrame? LastFrame { get; init; }
}
