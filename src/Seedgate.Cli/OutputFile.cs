using Seedgate.Client;

namespace Seedgate.Cli;

/// <summary>
/// Downloads a task output to a file, with a progress bar on a terminal; a partial file never takes the final name, and
/// one left by an interrupted run (<c>FILE.part</c>) is resumed.
/// </summary>
internal static class OutputFile
{
    private static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(100);

    public static async Task<long> DownloadAsync(SeedgateClient client, Uri url, string path, string label, CliEnvironment env, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var bar = new DownloadBar(env, label);
        try
        {
            var bytes = await client.DownloadToFileAsync(url, path, bar, cancellationToken).ConfigureAwait(false);
            bar.Finish(bytes, path);
            return bytes;
        }
        catch
        {
            bar.Abandon();
            if (File.Exists(path + ".part"))
            {
                await env.Error.WriteLineAsync($"the part downloaded is kept in {path}.part: the same command resumes it").ConfigureAwait(false);
            }

            throw;
        }
    }

    private sealed class DownloadBar(CliEnvironment env, string label) : IProgress<DownloadProgress>
    {
        private long lastDraw = long.MinValue;
        private int drawn;

        public void Report(DownloadProgress value)
        {
            if (!env.ErrorIsTerminal)
            {
                return;
            }

            var now = env.Time.GetTimestamp();
            if (lastDraw != long.MinValue && env.Time.GetElapsedTime(lastDraw, now) < RedrawEvery && value.BytesReceived != value.TotalBytes)
            {
                return;
            }

            lastDraw = now;
            var line = value.TotalBytes is { } total and > 0
                ? $"{label} {ProgressBar.Render((double)value.BytesReceived / total, 24)} {ProgressBar.Bytes(value.BytesReceived)} / {ProgressBar.Bytes(total)}"
                : $"{label} {ProgressBar.Bytes(value.BytesReceived)}";
            env.Error.Write("\r" + line + new string(' ', Math.Max(0, drawn - line.Length)));
            env.Error.Flush();
            drawn = line.Length;
        }

        public void Finish(long bytes, string path)
        {
            if (env.ErrorIsTerminal)
            {
                env.Error.WriteLine();
            }
            else
            {
                env.Error.WriteLine($"{label} {ProgressBar.Bytes(bytes)} to {path}");
            }
        }

        public void Abandon()
        {
            if (env.ErrorIsTerminal && drawn > 0)
            {
                env.Error.WriteLine();
            }
        }
    }
}
