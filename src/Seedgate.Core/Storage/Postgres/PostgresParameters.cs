using Npgsql;
using NpgsqlTypes;

namespace Seedgate.Core.Storage.Postgres;

/// <summary>Typed parameters: a null goes out typed, so PostgreSQL never has to guess the type of a NULL.</summary>
internal static class PostgresParameters
{
    public static void Text(this NpgsqlParameterCollection parameters, string name, string? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });

    public static void Bigint(this NpgsqlParameterCollection parameters, string name, long? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Bigint) { Value = value.HasValue ? value.Value : DBNull.Value });

    public static void Integer(this NpgsqlParameterCollection parameters, string name, int value) =>
        parameters.Add(new NpgsqlParameter<int>(name, NpgsqlDbType.Integer) { TypedValue = value });

    public static void TextArray(this NpgsqlParameterCollection parameters, string name, string[] values) =>
        parameters.Add(new NpgsqlParameter<string[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = values });

    public static void Bytea(this NpgsqlParameterCollection parameters, string name, byte[] value) =>
        parameters.Add(new NpgsqlParameter<byte[]>(name, NpgsqlDbType.Bytea) { TypedValue = value });
}
