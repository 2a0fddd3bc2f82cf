using System.Globalization;
using System.Text;

namespace Seedgate.Cli;

/// <summary>
/// Rows as aligned columns: two spaces between columns, no trailing spaces, plain text (no colour, no box drawing), so
/// that the output reads well in a terminal and still pipes into grep, cut or awk. In a table of figures every column
/// after the first is right-aligned.
/// </summary>
internal sealed class TextTable
{
    private readonly List<IReadOnlyList<string>> _rows = [];
    private readonly bool _figures;

    /// <summary>A table whose first row is <paramref name="header"/>; none for name–value facts.</summary>
    public TextTable(params string[] header)
        : this(figures: false, header)
    {
    }

    private TextTable(bool figures, IReadOnlyList<string> header)
    {
        _figures = figures;
        if (header.Count > 0)
        {
            _rows.Add(header);
        }
    }

    /// <summary>Writes <paramref name="rows"/> under <paramref name="headers"/>, the figures right-aligned.</summary>
    public static Task WriteAsync(TextWriter writer, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = new TextTable(figures: true, headers);
        table._rows.AddRange(rows);
        return table.WriteAsync(writer);
    }

    public TextTable Add(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public async Task WriteAsync(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var columns = _rows.Count == 0 ? 0 : _rows.Max(r => r.Count);
        var widths = Enumerable.Range(0, columns).Select(c => _rows.Max(r => c < r.Count ? r[c].Length : 0)).ToArray();
        foreach (var row in _rows)
        {
            var line = new StringBuilder();
            for (var c = 0; c < row.Count; c++)
            {
                line.Append(c == 0 ? "" : "  ");
                line.Append(_figures && c > 0 ? row[c].PadLeft(widths[c]) : c == row.Count - 1 ? row[c] : row[c].PadRight(widths[c]));
            }

            await writer.WriteLineAsync(line.ToString().TrimEnd()).ConfigureAwait(false);
        }
    }

    /// <summary>A time as the CLI shows times: <c>2026-12-01 09:30:00Z</c>.</summary>
    public static string Time(DateTimeOffset? time) => time?.ToString("u", CultureInfo.InvariantCulture) ?? "-";
}
