namespace Seedgate.Core.Media;

/// <summary>Where ffmpeg and ffprobe live and how hard Seedgate may lean on them (configuration section <c>Seedgate:Ffmpeg</c>).</summary>
public sealed class FfmpegOptions
{
    public const string SectionName = "Seedgate:Ffmpeg";

    /// <summary>The ffmpeg executable: a name looked up on PATH or an absolute path.</summary>
    public string FfmpegPath { get; set; } = "ffmpeg";

    /// <summary>The ffprobe executable: a name looked up on PATH or an absolute path.</summary>
    public string FfprobePath { get; set; } = "ffprobe";

    /// <summary>How many ffmpeg/ffprobe processes may run at once across the process.</summary>
    public int MaxConcurrentProcesses { get; set; } = Environment.ProcessorCount;

    /// <summary>A single ffmpeg run longer than this is killed and reported as a failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);
}
