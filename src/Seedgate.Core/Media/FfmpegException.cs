using System.Text.RegularExpressions;

namespace Seedgate.Core.Media;

/// <summary>An ffmpeg or ffprobe run failed: non-zero exit, timeout, or the tool could not be started.</summary>
internal sealed class FfmpegException : Exception
{
    public FfmpegException(string message, int exitCode, string stderrTail, Exception? inner = null)
        : base(Compose(message, exitCode, stderrTail), inner)
    {
        ExitCode = exitCode;
        StderrTail = stderrTail;
    }

    /// <summary>The process exit code, or -1 when it never exited by itself (timeout, start failure).</summary>
    public int ExitCode { get; }

    /// <summary>The last few kilobytes ffmpeg wrote to stderr: usually the reason.</summary>
    public string StderrTail { get; }

    /// <summary>
    /// A line of ffmpeg's stderr fit for a caller: no server paths (they become "the input") and no heap addresses
    /// (ffmpeg prefixes messages with "[demuxer @ 0x…]"). The full text stays in the log.
    /// </summary>
    public static string ForCaller(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = CallerText.Addresses().Replace(line, "");
        return CallerText.Paths().Replace(text, "the input").Trim();
    }

    private static string Compose(string message, int exitCode, string stderrTail) =>
        stderrTail.Length == 0
            ? $"{message} (exit code {exitCode})"
            : $"{message} (exit code {exitCode}): {stderrTail.Trim()}";
}

/// <summary>
/// An input file that is not usable media of the expected kind (not an image, corrupt, unsupported format).
/// Carries the path so the caller can name the request field it came from.
/// </summary>
internal sealed class InvalidMediaException(string path, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Path { get; } = path;
}

internal static partial class CallerText
{
    [GeneratedRegex(@"\[[^\]]*@ 0x[0-9a-fA-F]+\]\s*")]
    public static partial Regex Addresses();

    // A path ends before the punctuation that follows it in a sentence.
    [GeneratedRegex(@"(file:)?/[^\s:'""]*[^\s:'"".,;)]")]
    public static partial Regex Paths();
}
