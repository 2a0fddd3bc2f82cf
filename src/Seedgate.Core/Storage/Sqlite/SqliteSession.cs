using Microsoft.Data.Sqlite;

namespace Seedgate.Core.Storage.Sqlite;

/// <summary>
/// An open connection with its prepared statements, used by one caller at a time: preparing a statement costs
/// more than running a key lookup, so hot statements are prepared once per connection and reused.
/// </summary>
internal sealed class SqliteSession(SqliteConnection connection) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection { get; } = connection;

    /// <summary>The prepared command for a fixed SQL text, with no parameters bound yet. Do not dispose it.</summary>
    public SqliteCommand Prepared(string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = Connection.CreateCommand();
#pragma warning disable CA2100 // Only the stores' own constant SQL texts come here; values are bound as parameters.
            command.CommandText = sql;
#pragma warning restore CA2100
            command.Prepare();
            _commands[sql] = command;
        }

        command.Parameters.Clear();
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        Connection.Dispose();
    }
}
