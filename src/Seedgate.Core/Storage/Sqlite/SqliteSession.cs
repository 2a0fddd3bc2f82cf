using System.Data.Common;
using Microsoft.Data.Sqlite;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Storage.Sqlite;

/// <summary>
/// An open connection with its prepared statements, used by one caller at a time: preparing a statement costs
/// more than running a key lookup, so statements are prepared once per connection and reused (up to a bound, past
/// which a statement runs unprepared: listings build many texts).
/// </summary>
internal sealed class SqliteSession(SqliteConnection connection) : SqlSession, IDisposable
{
    private const int MaxPrepared = 96;

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection { get; } = connection;

    public override Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        RunAsync(sql, bind, command => command.ExecuteNonQueryAsync(cancellationToken));

    public override Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken) =>
        RunAsync(
            sql,
            bind,
            async command =>
            {
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                return await MapAllAsync(reader, map, cancellationToken);
            });

    /// <summary>Gives <paramref name="run"/> the statement's prepared command (or, past the cache's size, a new one) with the parameters bound.</summary>
    private async Task<T> RunAsync<T>(string sql, Action<DbCommand> bind, Func<DbCommand, Task<T>> run)
    {
        if (_commands.TryGetValue(sql, out var command) || _commands.Count < MaxPrepared)
        {
            command ??= Prepare(sql);
            command.Parameters.Clear();
            bind(command);
            return await run(command);
        }

        await using var once = Connection.CreateCommand();
#pragma warning disable CA2100 // Only the stores' own SQL texts come here; values are bound as parameters.
        once.CommandText = sql;
#pragma warning restore CA2100
        bind(once);
        return await run(once);
    }

    public override async Task<int> ExecuteEachAsync<T>(
        string sql, IReadOnlyList<T> items, Action<DbCommand, T> bind, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var changed = 0;
        foreach (var item in items)
        {
            changed += await ExecuteAsync(sql, command => bind(command, item), cancellationToken);
        }

        return changed;
    }

    public override Task ExecuteDeferredAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        ExecuteAsync(sql, bind, cancellationToken);

    public override Task ExecuteEachDeferredAsync<T>(
        string sql, IReadOnlyList<T> items, Action<DbCommand, T> bind, CancellationToken cancellationToken) =>
        ExecuteEachAsync(sql, items, bind, cancellationToken);

    private SqliteCommand Prepare(string sql)
    {
        var command = Connection.CreateCommand();
#pragma warning disable CA2100 // Only the stores' own SQL texts come here; values are bound as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Prepare();
        _commands[sql] = command;
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
