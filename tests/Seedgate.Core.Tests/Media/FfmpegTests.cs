using System.Diagnostics;
using Seedgate.Core.Media;

namespace Seedgate.Core.Tests.Media;

public sealed class FfmpegTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Ffmpeg _ffmpeg = MediaKit.NewFfmpeg();

    public void Dispose()
    {
        _ffmpeg.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task ProbeAsync_reads_a_png()
    {
        var png = await MediaKit.MakeImageAsync(_ffmpeg, _dir.File("frame.png"), "testsrc=size=320x180");

        var info = await _ffmpeg.ProbeAsync(png, CancellationToken.None);

        Assert.Equal(320, info.Width);
        Assert.Equal(180, info.Height);
        Assert.Equal("png", info.VideoCodec);
        Assert.Equal("png_pipe", info.Demuxer);
        Assert.False(info.HasAudio);
    }

    [Fact]
    public async Task ProbeAsync_reads_a_jpeg_and_InspectAsync_accepts_it_as_an_image()
    {
        var jpeg = await MediaKit.MakeImageAsync(_ffmpeg, _dir.File("frame.jpg"), "testsrc=size=200x100");

        var info = await _ffmpeg.InspectAsync(jpeg, MediaKind.Image, CancellationToken.None);

        Assert.Equal("mjpeg", info.VideoCodec);
        Assert.Equal((200, 100), (info.Width, info.Height));
    }

    [Fact]
    public async Task InspectAsync_refuses_text_files_even_with_an_image_name()
    {
        var text = _dir.File("notes.txt");
        await File.WriteAllTextAsync(text, "this is not a picture\nat all\n");
        var fakePng = _dir.File("fake.png");
        await File.WriteAllBytesAsync(fakePng, [1, 2, 3, 4, 5, 6, 7, 8, 9]);

        var e1 = await Assert.ThrowsAsync<InvalidMediaException>(() => _ffmpeg.InspectAsync(text, MediaKind.Image, CancellationToken.None));
        var e2 = await Assert.ThrowsAsync<InvalidMediaException>(() => _ffmpeg.InspectAsync(fakePng, MediaKind.Image, CancellationToken.None));

        Assert.Equal(text, e1.Path);
        Assert.Equal(fakePng, e2.Path);
    }

    [Fact]
    public async Task InspectAsync_refuses_a_playlist_that_points_at_a_url()
    {
        var playlist = _dir.File("evil.m3u8");
        await File.WriteAllTextAsync(playlist,
            "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:9/secret.ts\n#EXT-X-ENDLIST\n");

        await Assert.ThrowsAsync<InvalidMediaException>(() => _ffmpeg.InspectAsync(playlist, MediaKind.Image, CancellationToken.None));
    }

    [Fact]
    public async Task A_failing_run_reports_exit_code_and_stderr_tail()
    {
        var e = await Assert.ThrowsAsync<FfmpegException>(() =>
            _ffmpeg.RunAsync(["-loglevel", "error", "-i", _dir.File("missing.mp4"), "-f", "null", "-"]));

        Assert.NotEqual(0, e.ExitCode);
        Assert.Contains("missing.mp4", e.StderrTail, StringComparison.Ordinal);
        Assert.Contains("missing.mp4", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_timeout_kills_ffmpeg_and_reports_the_stderr_tail()
    {
        using var ffmpeg = MediaKit.NewFfmpeg(timeout: TimeSpan.FromSeconds(1.5));
        var clock = Stopwatch.StartNew();

        // -re paces an endless source at real time: this run would never end by itself.
        var e = await Assert.ThrowsAsync<FfmpegException>(() =>
            ffmpeg.RunAsync(["-loglevel", "info", "-re", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25", "-f", "null", "-"]));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(-1, e.ExitCode);
        Assert.Contains("timed out", e.Message, StringComparison.Ordinal);
        Assert.Contains("testsrc", e.StderrTail, StringComparison.Ordinal);
        Assert.True(e.StderrTail.Length <= 4096);
    }

    [Fact]
    public async Task Cancellation_kills_ffmpeg_promptly()
    {
        var marker = Guid.NewGuid().ToString("N");
        using var cts = new CancellationTokenSource();
        var clock = new Stopwatch();
        var run = _ffmpeg.RunAsync(
            ["-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=25", "-metadata", $"comment={marker}",
                "-f", "rawvideo", "pipe:1"],
            readStdout: async (stdout, ct) =>
            {
                var buffer = new byte[4096];
                // The first bytes on stdout are the signal that ffmpeg is up and working: cancel then.
                await stdout.ReadAtLeastAsync(buffer, 1, throwOnEndOfStream: true, ct);
                clock.Start();
                await cts.CancelAsync();
                while (await stdout.ReadAsync(buffer, ct) > 0)
                {
                }
            },
            cancellationToken: cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        Assert.DoesNotContain(Directory.GetDirectories("/proc"), p => CommandLine(p).Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckToolsAsync_is_null_when_tools_run_and_explains_when_missing()
    {
        Assert.Null(await Ffmpeg.CheckToolsAsync(new FfmpegOptions(), CancellationToken.None));

        var message = await Ffmpeg.CheckToolsAsync(new FfmpegOptions { FfmpegPath = "ffmpeg-that-does-not-exist" }, CancellationToken.None);

        Assert.NotNull(message);
        Assert.Contains("ffmpeg was not found on PATH", message, StringComparison.Ordinal);
        Assert.Contains("apt-get install -y ffmpeg", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdin_is_streamed_to_ffmpeg()
    {
        var output = _dir.File("grey.png");
        var frame = new byte[16 * 8 * 3 / 2];
        Array.Fill(frame, (byte)128);

        await _ffmpeg.RunAsync(
            ["-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", "16x8", "-i", "pipe:0", "-frames:v", "1", "-y", output],
            writeStdin: (stdin, ct) => stdin.WriteAsync(frame, ct).AsTask());

        var info = await _ffmpeg.ProbeAsync(output, CancellationToken.None);
        Assert.Equal((16, 8), (info.Width, info.Height));
    }

    private static string CommandLine(string procDir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procDir, "cmdline"));
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
