using System.Data;
using System.Data.Common;

namespace Seedgate.Core.Storage.Sql;

/// <summary>
/// Typed parameters for both providers: each value goes out with its database type, so a NULL is never untyped
/// (PostgreSQL would have to guess) and numbers keep their width.
/// </summary>
internal static class SqlParameters
{
    public static void Text(this DbCommand command, string name, string? value) => Add(command, name, DbType.String, value);

    public static void Bigint(this DbCommand command, string name, long? value) => Add(command, name, DbType.Int64, value);

    /// <summary>A 32-bit integer (PostgreSQL's int4).</summary>
    public static void Int4(this DbCommand command, string name, int value) => Add(command, name, DbType.Int32, value);

    public static void Bytes(this DbCommand command, string name, byte[] value) => Add(command, name, DbType.Binary, value);

    /// <summary>"@{prefix}0, @{prefix}1, …": the placeholders of an IN list of <paramref name="count"/> values.</summary>
    public static string Placeholders(string prefix, int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => $"@{prefix}{i}"));

    /// <summary>Binds the values of an IN list written with <see cref="Placeholders"/>.</summary>
    public static void TextEach(this DbCommand command, string prefix, IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        for (var i = 0; i < values.Count; i++)
        {
            command.Text($"@{prefix}{i}", values[i]);
        }
    }

    private static void Add(DbCommand command, string name, DbType type, object? value)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
