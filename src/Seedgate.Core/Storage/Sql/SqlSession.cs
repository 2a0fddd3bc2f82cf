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
    public abstract Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken);

    /// <summary>Runs one statement and maps every row it returns.</summary>
    public abstract Task<List<T>> QueryAsync<T>(string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken);

    /// <summary>
    /// Runs one statement once per item, binding each in turn, in one round trip where the provider can (a batch on
    /// PostgreSQL; on SQLite, which has no round trips, the prepared statement again and again). The rows changed.
    /// </summary>
    public abstract Task<int> ExecuteEachAsync<T>(
        string sql, IReadOnlyList<T> items, Action<DbCommand, T> bind, CancellationToken cancellationToken);

    /// <summary>
    /// Runs a statement whose outcome the caller does not read. PostgreSQL holds it back and sends it ahead of the
    /// session's next statement, or with the end of the unit of work: one round trip for both. SQLite, which has no
    /// round trips, runs it now. Statements still run in the order they were given; a failure fails the unit of work
    /// (on PostgreSQL it surfaces at the statement it went out with).
    /// </summary>
    public abstract Task ExecuteDeferredAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken);

    /// <summary>Runs one statement once per item, as <see cref="ExecuteDeferredAsync"/>: its outcome is not read.</summary>
    public abstract Task ExecuteEachDeferredAsync<T>(
        string sql, IReadOnlyList<T> items, Action<DbCommand, T> bind, CancellationToken cancellationToken);

    /// <summary>Every row <paramref name="reader"/> has left, mapped.</summary>
    private protected static async Task<List<T>> MapAllAsync<T>(DbDataReader reader, Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(map(reader));
        }

        return rows;
    }
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
