using System.Globalization;
using Seedgate.Client;
using Spectre.Console;

namespace Seedgate.Cli;

/// <summary>
/// The live status of `generate` and `wait` on stderr. On a terminal it is Spectre.Console's live progress display: a
/// spinner, the status (with the queue position or the long take's seconds where the server sends them), a bar and
/// percentage when the server reports progress, and the time elapsed. Otherwise it writes a plain line whenever the
/// status changes or progress passes another 10 %.
/// </summary>
internal sealed class TaskProgressDisplay : IProgress<GenerationTask>, IAsyncDisposable
{
    private readonly TextWriter error;
    private readonly bool interactive;
    private readonly TimeProvider time;
    private readonly long started;
    private readonly Lock gate = new();
    private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task display;
    private (string Status, int Bucket)? lastPlain;
    private int? progress;
    private ProgressTask? shown;

    public TaskProgressDisplay(TextWriter error, bool interactive, TimeProvider time)
    {
        this.error = error;
        this.interactive = interactive;
        this.time = time;
        started = time.GetTimestamp();
        display = interactive ? ShowAsync() : Task.CompletedTask;
    }

    public TimeSpan Elapsed => time.GetElapsedTime(started);

    public void Report(GenerationTask value)
    {
        lock (gate)
        {
            progress = value.Progress is { } p ? Math.Clamp(p, 0, 100) : progress;
            if (interactive)
            {
                // Before the display is up (a fraction of a second) a snapshot is skipped: the next one shows.
                if (shown is not null)
                {
                    Update(shown, value);
                }

                return;
            }

            var bucket = (progress ?? -1) / 10;
            if (lastPlain != (value.Status, bucket))
            {
                lastPlain = (value.Status, bucket);
                var seconds = ((int)Elapsed.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
                error.WriteLine($"{value.Status} {seconds}{(progress is { } percent ? $" {percent,3}%" : "")}");
            }
        }
    }

    /// <summary>Stops the display, leaving the last state visible.</summary>
    public async ValueTask DisposeAsync()
    {
        ended.TrySetResult();
        await display.ConfigureAwait(false);
    }

    private Task ShowAsync()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(error),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        return console.Progress()
            .AutoClear(false)
            .Columns(new SpinnerColumn(), new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("submitted", maxValue: 100);
                task.IsIndeterminate = true;
                lock (gate)
                {
                    shown = task;
                }

                await ended.Task.ConfigureAwait(false);
                task.StopTask();
            });
    }

    private void Update(ProgressTask task, GenerationTask value)
    {
        var detail = value switch
        {
            { QueuePosition: { } place } => $" (#{place.ToString(CultureInfo.InvariantCulture)} in the queue)",
            { LongTake: { } take } => string.Create(CultureInfo.InvariantCulture, $" ({take.FinishedSeconds:0} of {take.Seconds} s)"),
            _ => "",
        };
        var mark = !value.IsTerminal ? "" : value.Status == TaskStatuses.Succeeded ? "[green]✓[/] " : "[red]✗[/] ";
        task.Description = mark + Markup.Escape(value.Status + detail);
        if (progress is { } percent)
        {
            task.IsIndeterminate = false;
            task.Value = percent;
        }

        if (value.Status == TaskStatuses.Succeeded)
        {
            task.IsIndeterminate = false;
            task.Value = 100;
        }
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
