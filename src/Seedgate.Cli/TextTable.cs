namespace Seedgate.Cli;

/// <summary>
/// Plain aligned columns (the first one left-aligned, the rest right-aligned, two spaces apart): readable on a terminal
/// and easy for grep, awk and cut, like the rest of the CLI's output.
/// </summary>
internal static class TextTable
{
    public static async Task WriteAsync(TextWriter writer, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, column) => all.Max(row => row[column].Length)).ToArray();
        foreach (var row in all)
        {
            var cells = row.Select((cell, column) => column == 0 ? cell.PadRight(widths[column]) : cell.PadLeft(widths[column]));
            await writer.WriteLineAsync(string.Join("  ", cells).TrimEnd()).ConfigureAwait(false);
        }
    }
}
