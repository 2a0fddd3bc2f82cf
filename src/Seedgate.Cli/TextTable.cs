using System.Globalization;
using System.Text;

namespace Seedgate.Cli;

/// <summary>
/// Rows as aligned columns: two spaces between columns, no trailing spaces, plain text (no colour, no box drawing), so
/// that the output reads well in a terminal and still pipes into grep, cut or awk.
/// </summary>
internal sealed class TextTable
{
    private readonly List<string[]> _rows = [];

    /// <summary>A table whose first row is <paramref name="header"/>; none for name–value facts.</summary>
    public TextTable(params string[] header)
    {
        if (header.Length > 0)
        {
            _rows.Add(header);
        }
    }

    public TextTable Add(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public async Task WriteAsync(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var columns = _rows.Count == 0 ? 0 : _rows.Max(r => r.Length);
        var widths = Enumerable.Range(0, columns).Select(c => _rows.Max(r => c < r.Length ? r[c].Length : 0)).ToArray();
        foreach (var row in _rows)
        {
            var line = new StringBuilder();
            for (var c = 0; c < row.Length; c++)
            {
                line.Append(c == row.Length - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            await writer.WriteLineAsync(line.ToString().TrimEnd()).ConfigureAwait(false);
        }
    }

    /// <summary>A time as the CLI shows times: <c>2026-12-01 09:30:00Z</c>.</summary>
    public static string Time(DateTimeOffset? time) => time?.ToString("u", CultureInfo.InvariantCulture) ?? "-";
}
