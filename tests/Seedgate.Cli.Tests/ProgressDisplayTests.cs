using Seedgate.Client;

namespace Seedgate.Cli.Tests;

/// <summary>The live display of `generate` and `wait` on a terminal (Spectre.Console), and its plain form elsewhere.</summary>
public sealed class ProgressDisplayTests
{
    [Fact]
    public async Task On_a_terminal_the_display_shows_the_queue_position_the_progress_and_the_end()
    {
        var error = new StringWriter();
        var display = new TaskProgressDisplay(TextWriter.Synchronized(error), interactive: true, TimeProvider.System);
        for (var i = 0; i < 200 && !error.ToString().Contains("submitted", StringComparison.Ordinal); i++)
        {
            await Task.Delay(10); // the display is up and has drawn its first frame
        }

        display.Report(new GenerationTask { Id = "cgt-1", Status = "queued", QueuePosition = 2 });
        await Task.Delay(250); // a refresh (every 100 ms) draws it
        display.Report(new GenerationTask { Id = "cgt-1", Status = "running", Progress = 40 });
        await Task.Delay(250);
        display.Report(new GenerationTask { Id = "cgt-1", Status = "succeeded", Progress = 100 });
        await display.DisposeAsync();

        var shown = error.ToString();
        Assert.Contains("queued (#2 in the queue)", shown, StringComparison.Ordinal);
        Assert.Contains("40%", shown, StringComparison.Ordinal);
        Assert.Contains("✓", shown, StringComparison.Ordinal);
        Assert.Contains("succeeded", shown, StringComparison.Ordinal);
        Assert.Contains("100%", shown, StringComparison.Ordinal);
        Assert.Contains("\u001b[", shown, StringComparison.Ordinal); // drawn in place with ANSI control sequences
    }

    [Fact]
    public async Task Elsewhere_it_writes_a_plain_line_per_status_and_per_ten_percent()
    {
        var error = new StringWriter();
        var display = new TaskProgressDisplay(error, interactive: false, TimeProvider.System);

        foreach (var (status, progress) in new[] { ("queued", 0), ("running", 10), ("running", 15), ("running", 20), ("succeeded", 100) })
        {
            display.Report(new GenerationTask { Id = "cgt-1", Status = status, Progress = progress });
        }

        await display.DisposeAsync();

        Assert.Equal(["queued 0s   0%", "running 0s  10%", "running 0s  20%", "succeeded 0s 100%"], error.ToString().TrimEnd().Split(Environment.NewLine));
    }
}
