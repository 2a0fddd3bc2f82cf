using System.Globalization;
using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary>
/// The live status line of `generate` on stderr. On a terminal it is redrawn in place several times a second: a spinner
/// (or a bar when the server reports progress), the status and the seconds elapsed. Otherwise it writes a plain line
/// whenever the status changes or progress passes another 10 %.
/// </summary>
internal sealed class TaskProgressDisplay : IProgress<GenerationTask>, IAsyncDisposable
{
    private static readonly string[] SpinnerFrames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(125);

    private readonly TextWriter error;
    private readonly bool interactive;
    private readonly TimeProvider time;
    private readonly long started;
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stop = new();
    private readonly Task animation;
    private string status = "submitted";
    private int? progress;
    private int frame;
    private int drawnLength;
    private (string Status, int Bucket)? lastPlain;

    public TaskProgressDisplay(TextWriter error, bool interactive, TimeProvider time)
    {
        this.error = error;
        this.interactive = interactive;
        this.time = time;
        started = time.GetTimestamp();
        animation = interactive ? AnimateAsync() : Task.CompletedTask;
    }

    public TimeSpan Elapsed => time.GetElapsedTime(started);

    public void Report(GenerationTask value)
    {
        lock (gate)
        {
            status = value.Status;
            progress = value.Progress is { } p ? Math.Clamp(p, 0, 100) : progress;
            if (interactive)
            {
                Draw();
                return;
            }

            var bucket = (progress ?? -1) / 10;
            if (lastPlain != (status, bucket))
            {
                lastPlain = (status, bucket);
                error.WriteLine(Describe(withBar: false));
            }
        }
    }

    /// <summary>Stops the animation and ends the line, leaving the last state visible.</summary>
    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        await animation.ConfigureAwait(false);
        stop.Dispose();

        // The animation has stopped and the wait that reported is over: nobody else writes now.
        if (interactive)
        {
            Draw();
            await error.WriteLineAsync().ConfigureAwait(false);
        }
    }

    private async Task AnimateAsync()
    {
        using var timer = new PeriodicTimer(Frame, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                lock (gate)
                {
                    frame++;
                    Draw();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Draw()
    {
        var line = Describe(withBar: true);
        var padding = Math.Max(0, drawnLength - line.Length);
        error.Write("\r" + line + new string(' ', padding));
        error.Flush();
        drawnLength = line.Length;
    }

    private string Describe(bool withBar)
    {
        var seconds = ((int)Elapsed.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        var terminal = TaskStatuses.IsTerminal(status);
        var mark = terminal ? (status == TaskStatuses.Succeeded ? "✓" : "✗") : SpinnerFrames[frame % SpinnerFrames.Length];
        var percent = progress is { } p ? $" {p,3}%" : "";
        if (!withBar)
        {
            return $"{status} {seconds}{percent}";
        }

        var bar = progress is { } value ? " " + ProgressBar.Render(value / 100.0, 24) : "";
        return $"{mark} {status,-9} {seconds,5}{bar}{percent}";
    }
}

/// <summary>Text progress bars.</summary>
internal static class ProgressBar
{
    public static string Render(double fraction, int width)
    {
        var filled = (int)Math.Round(Math.Clamp(fraction, 0, 1) * width);
        return "[" + new string('█', filled) + new string('░', width - filled) + "]";
    }

    public static string Bytes(long bytes) => bytes switch
    {
        < 1024 => bytes.ToString(CultureInfo.InvariantCulture) + " B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " KB",
        _ => (bytes / (1024.0 * 1024)).ToString("0.0", CultureInfo.InvariantCulture) + " MB",
    };
}
