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

    /// <summary>Image plates in order: the first frame, or several reference images shown as a sequence.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>A last-frame image blended in towards the end, or null.</summary>
    public string? LastFrameImage { get; init; }

    /// <summary>A reference video whose last frame the clip continues from, or null.</summary>
    public string? ContinueFromVideo { get; init; }

    /// <summary>A reference audio clip used as the soundtrack (when audio is on), or null for a generated bed.</summary>
    public string? Audio { get; init; }

    public bool GenerateAudio { get; init; }
    public bool Watermark { get; init; }

    public required string OutputVideoPath { get; init; }

    /// <summary>Where to write a PNG of the last frame, or null.</summary>
    public string? OutputLastFramePath { get; init; }
}
