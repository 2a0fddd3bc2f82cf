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
