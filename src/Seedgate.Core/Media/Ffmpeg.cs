using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Seedgate.Core.Logging;

namespace Seedgate.Core.Media;

/// <summary>
/// Runs ffmpeg and ffprobe as child processes, jellyfin-style but hardened: argument lists (never a command
/// string), a process-wide concurrency limit, a timeout, the whole process tree killed on cancel or timeout,
/// and the tail of stderr in every failure.
/// </summary>
public sealed partial class Ffmpeg : IDisposable
{
    /// <summary>Passed before every input: a crafted file (a playlist, a concat list) cannot make ffmpeg open URLs.</summary>
    public const string InputProtocols = "file,pipe";

    private const int StderrTailChars = 4096;

    // Demuxers that only wrap or point at other inputs (playlists, concat lists) or read arbitrary text as
    // video ("tty" turns any .txt into frames): never acceptable for a user-supplied file.
    private static readonly HashSet<string> RefusedDemuxers = new(StringComparer.Ordinal)
    {
        "hls", "applehttp", "concat", "dash", "webm_dash_manifest", "tty", "ffmetadata", "lavfi", "sdp", "rtp", "rtsp",
        "data", "bin", "srt", "ass", "webvtt", "subviewer", "subviewer1", "microdvd", "jacosub", "mpl2", "lrc",
    };

    private static readonly HashSet<string> VideoContainers = new(StringComparer.Ordinal)
    {
        "mov", "matroska", "avi", "mpegts", "flv", "mpeg", "gif", "webm",
    };

    private static readonly HashSet<string> AudioContainers = new(StringComparer.Ordinal)
    {
        "wav", "mp3", "aac", "ogg", "flac", "mov", "matroska", "w64", "aiff", "caf",
    };

    private readonly FfmpegOptions _options;
    private readonly ILogger<Ffmpeg> _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _slots;

    public Ffmpeg(FfmpegOptions options, ILogger<Ffmpeg> logger, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxConcurrentProcesses, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Timeout, TimeSpan.Zero);
        _options = options;
        _logger = logger;
        _time = timeProvider ?? TimeProvider.System;
        _slots = new SemaphoreSlim(options.MaxConcurrentProcesses, options.MaxConcurrentProcesses);
    }

    public FfmpegOptions Options => _options;

    /// <summary>The input argument for a local file: the <c>file:</c> prefix stops a colon in the name being read as a protocol.</summary>
    public static string FileInput(string path) => "file:" + Path.GetFullPath(path);

    /// <summary>
    /// Runs ffmpeg with <paramref name="arguments"/> (after <c>-hide_banner -nostdin</c>). <paramref name="writeStdin"/>
    /// may stream data (e.g. raw frames) into ffmpeg's stdin, which is closed when it returns;
    /// <paramref name="readStdout"/> may consume ffmpeg's stdout. Returns the stderr tail.
    /// </summary>
    /// <exception cref="FfmpegException">Non-zero exit, timeout, or ffmpeg could not be started.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the process tree has been killed.</exception>
    public Task<string> RunAsync(
        IReadOnlyList<string> arguments,
        Func<Stream, CancellationToken, Task>? writeStdin = null,
        Func<Stream, CancellationToken, Task>? readStdout = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default) =>
        RunToolAsync(_options.FfmpegPath, ["-hide_banner", "-nostdin", .. arguments], writeStdin, readStdout, timeout, cancellationToken);

    /// <summary>
    /// Runs ffprobe on a local file and reads its streams and format, counting the video's packets on the way (a demux
    /// pass, no decoding) so a truncated file shows in <see cref="MediaInfo.MissingVideoFrames"/>.
    /// </summary>
    /// <exception cref="InvalidMediaException">ffprobe cannot read the file as media.</exception>
    public async Task<MediaInfo> ProbeAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new InvalidMediaException(path, $"The file '{Path.GetFileName(path)}' does not exist.");
        }

        using var json = new MemoryStream();
        try
        {
            await RunToolAsync(
                _options.FfprobePath,
                ["-v", "error", "-protocol_whitelist", InputProtocols, "-count_packets", "-print_format", "json", "-show_streams", "-show_format",
                    FileInput(path)],
                writeStdin: null,
                readStdout: (stdout, ct) => stdout.CopyToAsync(json, ct),
                timeout: null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (FfmpegException e) when (e.ExitCode > 0)
        {
            throw new InvalidMediaException(path, $"Not readable as media: {FirstLine(e.StderrTail)}", e);
        }

        try
        {
            return ParseProbe(json.ToArray());
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new InvalidMediaException(path, "Not readable as media: ffprobe gave no usable description.", e);
        }
    }

    /// <summary>
    /// Probes a user-supplied file and checks it is the expected <paramref name="kind"/> in an acceptable container,
    /// so later decodes can force that demuxer with <c>-f</c> and never fall back to a dangerous one.
    /// </summary>
    /// <exception cref="InvalidMediaException">Not media, or not the expected kind.</exception>
    public async Task<MediaInfo> InspectAsync(string path, MediaKind kind, CancellationToken cancellationToken) =>
        Inspect(path, await ProbeAsync(path, cancellationToken).ConfigureAwait(false), kind);

    /// <summary>The same check for a file already probed: <paramref name="info"/> when it is the expected kind.</summary>
    /// <exception cref="InvalidMediaException">Not the expected kind, or in a container that is not accepted.</exception>
    public static MediaInfo Inspect(string path, MediaInfo info, MediaKind kind)
    {
        ArgumentNullException.ThrowIfNull(info);
        var demuxer = info.Demuxer;
        var name = Path.GetFileName(path);
        if (RefusedDemuxers.Contains(demuxer))
        {
            throw new InvalidMediaException(path, $"'{name}' is a {demuxer} file, not {Article(kind)}.");
        }

        var ok = kind switch
        {
            // image2 (by extension) and the *_pipe demuxers (by content) are ffmpeg's still-image readers.
            MediaKind.Image => info.HasVideo && info.Width > 0 && info.Height > 0 && (demuxer == "image2" || demuxer.EndsWith("_pipe", StringComparison.Ordinal)
                || demuxer is "gif" or "webp"),
            MediaKind.Video => info.HasVideo && info.Width > 0 && info.Height > 0 && VideoContainers.Contains(demuxer) && info.DurationSeconds > 0,
            MediaKind.Audio => info.HasAudio && AudioContainers.Contains(demuxer),
        };
        if (!ok)
        {
            var what = info.HasVideo ? $"{info.VideoCodec} video in {demuxer}" : info.HasAudio ? $"{info.AudioCodec} audio in {demuxer}" : demuxer;
            throw new InvalidMediaException(path, $"'{name}' is not {Article(kind)} (found {what}).");
        }

        return info;
    }

    /// <summary>
    /// Null when ffmpeg (with libx264 and aac) and ffprobe run; otherwise a message a person can act on.
    /// The server calls this at start-up to fail fast.
    /// </summary>
    public static async Task<string?> CheckToolsAsync(FfmpegOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var probe = new Ffmpeg(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<Ffmpeg>.Instance);
        var shortRun = TimeSpan.FromSeconds(30);
        foreach (var (tool, path) in new[] { ("ffmpeg", options.FfmpegPath), ("ffprobe", options.FfprobePath) })
        {
            try
            {
                await probe.RunToolAsync(path, ["-version"], null, static (s, ct) => s.CopyToAsync(Stream.Null, ct), shortRun, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (FfmpegException e) when (e.InnerException is Win32Exception)
            {
                var where = path.Contains('/', StringComparison.Ordinal) ? $"at '{path}'" : "on PATH";
                return $"{tool} was not found {where}: install it (Debian: apt-get install -y ffmpeg) or set Seedgate:Ffmpeg:{(tool == "ffmpeg" ? "FfmpegPath" : "FfprobePath")}.";
            }
            catch (FfmpegException e)
            {
                return $"{tool} at '{path}' does not run: {e.Message}";
            }
        }

        using var encoders = new MemoryStream();
        await probe.RunAsync(["-encoders"], readStdout: (s, ct) => s.CopyToAsync(encoders, ct), timeout: shortRun, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        var list = Encoding.UTF8.GetString(encoders.ToArray());
        foreach (var encoder in new[] { "libx264", "aac" })
        {
            if (!list.Contains($" {encoder} ", StringComparison.Ordinal))
            {
                return $"ffmpeg at '{options.FfmpegPath}' lacks the {encoder} encoder: install Debian's ffmpeg (apt-get install -y ffmpeg).";
            }
        }

        return null;
    }

    public void Dispose() => _slots.Dispose();

    private async Task<string> RunToolAsync(
        string executable,
        IReadOnlyList<string> arguments,
        Func<Stream, CancellationToken, Task>? writeStdin,
        Func<Stream, CancellationToken, Task>? readStdout,
        TimeSpan? timeout,
        CancellationToken cancellationToken)
    {
        var limit = timeout ?? _options.Timeout;
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeoutCts = new CancellationTokenSource(limit, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
            var token = linked.Token;

            var startInfo = new ProcessStartInfo(executable)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                CreateNoWindow = true,
                StandardErrorEncoding = Encoding.UTF8,
            };
            foreach (var argument in arguments)
            {
                startInfo.ArgumentList.Add(argument);
            }

            using var process = new Process { StartInfo = startInfo };
            try
            {
                process.Start();
            }
            catch (Win32Exception e)
            {
                throw new FfmpegException($"Could not start '{executable}'", -1, "", e);
            }

            LogStarted(process.Id, executable, arguments.Count > 0 ? string.Join(' ', arguments) : "");
            var started = _time.GetTimestamp();
            var tail = new StderrTail();
            var stderrTask = tail.ReadAsync(process.StandardError);
            var stdoutTask = readStdout is null
                ? process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, token)
                : readStdout(process.StandardOutput.BaseStream, token);
            var stdinTask = FeedStdinAsync(process.StandardInput.BaseStream, writeStdin, token);

            try
            {
                await stdinTask.ConfigureAwait(false);
                await stdoutTask.ConfigureAwait(false);
                await process.WaitForExitAsync(token).ConfigureAwait(false);
                await stderrTask.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Kill(process);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                await Task.WhenAll(Quietly(stderrTask), Quietly(stdoutTask), Quietly(stdinTask)).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    LogCancelled(process.Id, executable);
                    throw new OperationCanceledException("The ffmpeg run was cancelled.", e, cancellationToken);
                }

                if (timeoutCts.IsCancellationRequested)
                {
                    LogTimedOut(process.Id, executable, limit);
                    throw new FfmpegException($"{Path.GetFileName(executable)} timed out after {limit}", -1, tail.Text, e);
                }

                if (e is IOException && process.ExitCode != 0)
                {
                    // ffmpeg died while we were still feeding or reading it: its exit code and stderr are the story.
                    throw Failed(executable, process.ExitCode, tail.Text);
                }

                throw;
            }

            var elapsed = _time.GetElapsedTime(started);
            if (process.ExitCode != 0)
            {
                throw Failed(executable, process.ExitCode, tail.Text);
            }

            LogFinished(process.Id, executable, elapsed.TotalMilliseconds);
            return tail.Text;
        }
        finally
        {
            _slots.Release();
        }
    }

    private FfmpegException Failed(string executable, int exitCode, string tail)
    {
        LogFailed(executable, exitCode, tail);
        return new FfmpegException($"{Path.GetFileName(executable)} failed", exitCode, tail);
    }

    private static async Task FeedStdinAsync(Stream stdin, Func<Stream, CancellationToken, Task>? writeStdin, CancellationToken token)
    {
        try
        {
            if (writeStdin is not null)
            {
                // Off the caller's thread: a writer that synthesises frames is CPU work, and the caller must get on
                // with watching stdout, stderr, the exit and the clock.
                await Task.Run(() => writeStdin(stdin, token), token).ConfigureAwait(false);
            }
        }
        finally
        {
            try
            {
                await stdin.DisposeAsync().ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The reader is gone (ffmpeg exited); the exit code says why.
            }
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The primary failure is already being reported; these are its echoes.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    private static MediaInfo ParseProbe(byte[] json)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        JsonElement? video = null, audio = null;
        if (root.TryGetProperty("streams", out var streams))
        {
            foreach (var stream in streams.EnumerateArray())
            {
                var type = Str(stream, "codec_type");
                // Cover art in audio files is a "video" stream flagged attached_pic; it is not the video.
                var attached = stream.TryGetProperty("disposition", out var d) && d.TryGetProperty("attached_pic", out var a)
                    && a.GetInt32() == 1;
                if (type == "video" && video is null && !attached)
                {
                    video = stream;
                }
                else if (type == "audio" && audio is null)
                {
                    audio = stream;
                }
            }
        }

        var format = root.GetProperty("format");
        var duration = Num(format, "duration");
        if (duration <= 0 && video is { } v0)
        {
            duration = Num(v0, "duration");
        }

        return new MediaInfo(
            FormatName: Str(format, "format_name") ?? "",
            Width: video is { } v1 ? (int)Num(v1, "width") : 0,
            Height: video is { } v2 ? (int)Num(v2, "height") : 0,
            DurationSeconds: duration,
            FramesPerSecond: video is { } v3 ? Rational(Str(v3, "avg_frame_rate")) is > 0 and var r ? r : Rational(Str(v3, "r_frame_rate")) : 0,
            VideoCodec: video is { } v4 ? Str(v4, "codec_name") : null,
            PixelFormat: video is { } v5 ? Str(v5, "pix_fmt") : null,
            HasAudio: audio is not null,
            AudioCodec: audio is { } a1 ? Str(a1, "codec_name") : null,
            AudioSampleRate: audio is { } a2 ? (int)Num(a2, "sample_rate") : 0,
            AudioChannels: audio is { } a3 ? (int)Num(a3, "channels") : 0)
        {
            // A truncated upload whose index survived would otherwise be used in part, silently.
            MissingVideoFrames = video is { } v6 && v6.TryGetProperty("nb_read_packets", out _) && Num(v6, "nb_frames") is > 0 and var declared
                ? Math.Max(0, (long)(declared - Num(v6, "nb_read_packets")))
                : 0,
        };
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    // ffprobe writes numbers both as JSON numbers (width) and as strings (duration, sample_rate).
    private static double Num(JsonElement e, string name) =>
        !e.TryGetProperty(name, out var p) ? 0
        : p.ValueKind == JsonValueKind.Number ? p.GetDouble()
        : p.ValueKind == JsonValueKind.String && double.TryParse(p.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
        : 0;

    private static double Rational(string? value)
    {
        if (value is null)
        {
            return 0;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0;
        }

        return double.TryParse(value.AsSpan(0, slash), NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            && double.TryParse(value.AsSpan(slash + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d != 0
            ? n / d
            : 0;
    }

    private static string FirstLine(string text)
    {
        var trimmed = text.Trim();
        var newline = trimmed.IndexOf('\n', StringComparison.Ordinal);
        var line = newline < 0 ? trimmed : trimmed[..newline];
        return line.Length == 0 ? "unknown format" : FfmpegException.ForCaller(line);
    }

    private static string Article(MediaKind kind) => kind switch
    {
        MediaKind.Image => "an image",
        MediaKind.Video => "a video",
        MediaKind.Audio => "an audio clip",
    };

    [LoggerMessage(EventId = LogEvents.FfmpegStarted, Level = LogLevel.Debug, Message = "Started {Tool} (pid {Pid}): {Arguments}")]
    private partial void LogStarted(int pid, string tool, string arguments);

    [LoggerMessage(EventId = LogEvents.FfmpegFinished, Level = LogLevel.Debug, Message = "{Tool} (pid {Pid}) finished in {ElapsedMs:F0} ms")]
    private partial void LogFinished(int pid, string tool, double elapsedMs);

    [LoggerMessage(EventId = LogEvents.FfmpegFailed, Level = LogLevel.Warning, Message = "{Tool} exited with code {ExitCode}: {StderrTail}")]
    private partial void LogFailed(string tool, int exitCode, string stderrTail);

    [LoggerMessage(EventId = LogEvents.FfmpegTimedOut, Level = LogLevel.Warning, Message = "{Tool} (pid {Pid}) timed out after {Timeout}; killed")]
    private partial void LogTimedOut(int pid, string tool, TimeSpan timeout);

    [LoggerMessage(EventId = LogEvents.FfmpegCancelled, Level = LogLevel.Information, Message = "{Tool} (pid {Pid}) cancelled; killed")]
    private partial void LogCancelled(int pid, string tool);

    /// <summary>Keeps only the last few KB of stderr, read as it arrives so ffmpeg never blocks on a full pipe.</summary>
    private sealed class StderrTail
    {
        private readonly StringBuilder _text = new();
        private readonly Lock _gate = new();

        public string Text
        {
            get
            {
                lock (_gate)
                {
                    return _text.ToString();
                }
            }
        }

        public async Task ReadAsync(StreamReader reader)
        {
            var buffer = new char[1024];
            int read;
            while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                lock (_gate)
                {
                    _text.Append(buffer, 0, read);
                    if (_text.Length > StderrTailChars * 2)
                    {
                        _text.Remove(0, _text.Length - StderrTailChars);
                    }
                }
            }

            lock (_gate)
            {
                if (_text.Length > StderrTailChars)
                {
                    _text.Remove(0, _text.Length - StderrTailChars);
                }
            }
        }
    }
}
