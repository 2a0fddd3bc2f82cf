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
