using System.Collections;
using System.Text;

namespace Seedgate.Core.Logging;

/// <summary>
/// A log scope of named values (request id, job id, correlation id): structured for providers that read the pairs,
/// and rendered as <c>name=value</c> by console providers (a dictionary would print its type name instead). Values
/// come from callers' headers too, so control characters are escaped: nobody can forge a log line.
/// </summary>
public sealed class LogScope(params (string Name, object? Value)[] values) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => values.Length;

    public KeyValuePair<string, object?> this[int index] => new(values[index].Name, values[index].Value);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < values.Length; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (name, value) in values)
        {
            if (value is null)
            {
                continue;
            }

            text.Append(text.Length == 0 ? "" : " ").Append(name).Append('=');
            foreach (var c in value.ToString() ?? "")
            {
                text.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
            }
        }

        return text.ToString();
    }
}
