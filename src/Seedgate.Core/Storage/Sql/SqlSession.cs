using System.Data.Common;

namespace Seedgate.Core.Storage.Sql;

/// <summary>
/// An open connection inside one unit of work of a SQL store: a transaction for writes, one connection for reads.
/// Statements are written once in SQL that SQLite and PostgreSQL both accept (named <c>@parameters</c>, bound with
/// <see cref="SqlParameters"/>); each provider decides how a statement is prepared and run.
/// </summary>
public abstract class SqlSession
{
    private protected SqlSession()
    {
    }

    /// <summary>Runs one statement; the rows it changed.</summary>
    public Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        RunAsync(sql, bind, command => command.ExecuteNonQueryAsync(cancellationToken));

    /// <summary>Runs one statement and maps every row it returns.</summary>
    public Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken) =>
        RunAsync(
            sql,
            bind,
            async command =>
            {
                var rows = new List<T>();
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    rows.Add(map(reader));
                }

                return rows;
            });

    /// <summary>
    /// Runs one statement once per item, binding each in turn, in one round trip where the provider can (a batch on
    /// PostgreSQL; on SQLite, which has no round trips, the prepared statement again and again). The rows changed.
    /// </summary>
    public abstract Task<int> ExecuteEachAsync<T>(
        string sql, IReadOnlyList<T> items, Action<DbCommand, T> bind, CancellationToken cancellationToken);

    /// <summary>Gives <paramref name="run"/> a command for <paramref name="sql"/> with the parameters bound.</summary>
    private protected abstract Task<T> RunAsync<T>(string sql, Action<DbCommand> bind, Func<DbCommand, Task<T>> run);
}

/// <summary>A database that runs units of work over <see cref="SqlSession"/>s (SQLite or PostgreSQL).</summary>
internal interface ISqlDatabase
{
    /// <summary>
    /// Runs <paramref name="work"/> in one write transaction: everything it wrote commits together, or nothing does
    /// when it throws. Results are handed back only once the transaction committed.
    /// </summary>
    Task<T> WriteAsync<T>(Func<SqlSession, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a write made of exactly one statement, which is atomic by itself: a provider may run it without an explicit
    /// transaction (PostgreSQL's autocommit saves the COMMIT round trip).
    /// </summary>
    Task<T> WriteOneAsync<T>(Func<SqlSession, Task<T>> statement, CancellationToken cancellationToken);

    /// <summary>Runs a read; each statement sees committed data.</summary>
    Task<T> ReadAsync<T>(Func<SqlSession, Task<T>> work, CancellationToken cancellationToken);

    /// <summary>The job statements that differ per provider.</summary>
    JobStatements JobStatements { get; }
}
