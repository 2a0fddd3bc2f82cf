using Npgsql;
using NpgsqlTypes;

namespace Seedgate.Core.Storage.Postgres;

/// <summary>Array parameters, which only PostgreSQL has (the rest bind through <see cref="Sql.SqlParameters"/>).</summary>
internal static class PostgresParameters
{
    public static void TextArray(this NpgsqlParameterCollection parameters, string name, string[] values) =>
        parameters.Add(new NpgsqlParameter<string[]>(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = values });
}
