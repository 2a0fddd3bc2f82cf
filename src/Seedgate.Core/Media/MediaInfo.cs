namespace Seedgate.Core.Media;

/// <summary>What ffprobe says about a media file. Video fields are 0/null when there is no video stream.</summary>
public sealed record MediaInfo(
    string FormatName,
    int Width,
    int Height,
    double DurationSeconds,
    double FramesPerSecond,
    string? VideoCodec,
    string? PixelFormat,
    bool HasAudio,
    string? AudioCodec,
    int AudioSampleRate,
    int AudioChannels)
{
    public bool HasVideo => VideoCodec is not null;

    /// <summary>
    /// How many of the frames the video stream's header declares are missing from the file (ffprobe's packet count
    /// against <c>nb_frames</c>); 0 when complete or when the header declares no count.
    /// </summary>
    public long MissingVideoFrames { get; init; }

    /// <summary>The demuxer name to force with <c>-f</c> on later reads (the first of ffprobe's aliases).</summary>
    public string Demuxer => FormatName.Split(',')[0];
}

/// <summary>What an input file is expected to be; decides which demuxers are acceptable.</summary>
public enum MediaKind
{
    Image,
    Video,
    Audio,
}
