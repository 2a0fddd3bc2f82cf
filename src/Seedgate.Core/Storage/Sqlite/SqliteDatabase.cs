using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Seedgate.Core.Storage.Sql;
using SQLitePCL;

namespace Seedgate.Core.Storage.Sqlite;

/// <summary>
/// One SQLite database file, migrated to the current schema. Hands out a fresh connection per operation
/// (Microsoft.Data.Sqlite pools them), set up for concurrent use by several processes: WAL, foreign keys on.
/// Several instances (and processes) may open the same file at once; open one instance per file per process,
/// because writes through one instance queue for its single writer (group commit) instead of contending for
/// SQLite's lock.
/// </summary>
/// <remarks>
/// Why writers do not use SQLite's busy_timeout: the bundled e_sqlite3 is built without usleep, so its busy
/// handler sleeps in whole seconds (one lock conflict = one second lost). Instead every write runs in a
/// BEGIN IMMEDIATE transaction whose BEGIN is retried here with short asynchronous waits, up to
/// <see cref="LockTimeout"/>; other statements that meet a lock (rare in WAL) are retried by
/// Microsoft.Data.Sqlite every 150 ms, up to the same timeout.
/// </remarks>
public sealed class SqliteDatabase : ISqlDatabase, IDisposable
{
    /// <summary>How long a writer waits for another connection's write lock before it fails with SQLITE_BUSY.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(5);

    private const string MigrationResourcePrefix = "Seedgate.Core.Storage.Sqlite.Migrations.";

    // Per connection (not stored in the file), so every opened connection runs them. busy_timeout 0: see remarks.
    private const string ConnectionPragmas =
        "PRAGMA busy_timeout = 0; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

    private readonly string _connectionString;
    private readonly TimeProvider _timeProvider;
    private const int MaxWritesPerCommit = 128;

    // Idle connections that keep their prepared read statements: preparing costs more than running a key lookup.
    private readonly ConcurrentBag<SqliteSession> _readers = [];

    // Group commit: one writer loop runs every queued write on one connection (with its prepared statements),
    // several per transaction, each in its own savepoint. A transaction costs far more than a statement here.
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new() { SingleReader = true });
    private readonly Task _writerLoop;
    private readonly int _maxIdleReaders = Math.Max(32, Environment.ProcessorCount * 8);

    static SqliteDatabase() => Batteries_V2.Init();

    private SqliteDatabase(string filePath, string connectionString, TimeProvider timeProvider)
    {
        FilePath = filePath;
        _connectionString = connectionString;
        _timeProvider = timeProvider;
        _writerLoop = Task.Run(RunWriterAsync);
    }

    /// <summary>The full path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>
    /// The migrations <see cref="MigrateAsync(CancellationToken)"/> applied (e.g. <c>001_initial</c>); empty when the file
    /// was up to date.
    /// </summary>
    public IReadOnlyList<string> MigrationsApplied { get; private set; } = [];

    public static Task<SqliteDatabase> OpenAsync(string filePath, CancellationToken cancellationToken) =>
        OpenAsync(filePath, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Opens (creating when needed) the database file and applies the migrations it lacks: <see cref="Create"/>, then
    /// <see cref="MigrateAsync(CancellationToken)"/>.
    /// </summary>
    /// <param name="filePath">A file path; in-memory databases are refused (jobs must survive the process).</param>
    /// <param name="timeProvider">Stamps schema_migrations.applied_at and times lock waits.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    public static async Task<SqliteDatabase> OpenAsync(string filePath, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var database = Create(filePath, timeProvider);
        try
        {
            await database.MigrateAsync(cancellationToken);
            return database;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The database of a file, not yet touched: the file is opened by <see cref="MigrateAsync(CancellationToken)"/> or the
    /// first statement. A host creates it while composing and migrates it at start.
    /// </summary>
    /// <param name="filePath">A file path; in-memory databases are refused (jobs must survive the process).</param>
    /// <param name="timeProvider">Stamps schema_migrations.applied_at and times lock waits.</param>
    public static SqliteDatabase Create(string filePath, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        ArgumentNullException.ThrowIfNull(timeProvider);
        if (string.Equals(filePath.Trim(), ":memory:", StringComparison.Ordinal) ||
            filePath.StartsWith("file:", StringComparison.OrdinalIgnoreCase) ||
            filePath.Contains("mode=memory", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("The job store needs a database file; in-memory databases lose every job.", nameof(filePath));
        }

        var fullPath = Path.GetFullPath(filePath);
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = (int)LockTimeout.TotalSeconds,
        }.ToString();
        return new SqliteDatabase(fullPath, connectionString, timeProvider);
    }

    /// <summary>
    /// Creates the file when needed and applies the migrations it lacks, each in its own transaction. Concurrent openers
    /// of the same file serialize on the write lock, so each migration runs once.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        if (Path.GetDirectoryName(FilePath) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        MigrationsApplied = await ApplyMigrationsAsync(_connectionString, _timeProvider, cancellationToken);
    }

    /// <summary>An open connection with the per-connection pragmas set, for reads; the caller disposes it.</summary>
    internal Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        OpenConnectionAsync(_connectionString, cancellationToken);

    JobStatements ISqlDatabase.JobStatements => SqliteJobStatements.Instance;

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction (BEGIN IMMEDIATE: the write lock is taken up front, so
    /// nothing inside can fail half-way on a lock): under group commit, in its own savepoint of a transaction that
    /// may hold other writers' work too, so a throw rolls back this work alone. The result comes after COMMIT.
    /// </summary>
    public Task<T> WriteAsync<T>(Func<SqlSession, Task<T>> work, CancellationToken cancellationToken)
    {
        var write = new PendingWrite<T>(work, cancellationToken);
        ObjectDisposedException.ThrowIf(!_writes.Writer.TryWrite(write), this);
        return write.Result;
    }

    /// <summary>Under group commit every write shares a transaction anyway: the same as <see cref="WriteAsync{T}"/>.</summary>
    Task<T> ISqlDatabase.WriteOneAsync<T>(Func<SqlSession, Task<T>> statement, CancellationToken cancellationToken) =>
        WriteAsync(statement, cancellationToken);

    /// <summary>
    /// The one writer: takes every write waiting, runs them in one BEGIN IMMEDIATE … COMMIT, each in a savepoint
    /// (a failing write is rolled back alone and gets its exception), and reports results only after COMMIT.
    /// </summary>
    private async Task RunWriterAsync()
    {
        SqliteSession? session = null;
        var batch = new List<PendingWrite>(MaxWritesPerCommit);
        while (await _writes.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxWritesPerCommit && _writes.Reader.TryRead(out var next))
            {
                if (!next.CancelIfRequested())
                {
                    batch.Add(next);
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                session ??= new SqliteSession(await OpenConnectionAsync(CancellationToken.None));
                await CommitBatchAsync(session, batch);
            }
#pragma warning disable CA1031 // The writer must outlive any failure; the failure goes to the writes it concerned.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                foreach (var write in batch)
                {
                    write.Fail(ex);
                }

                // Whatever went wrong, the next batch starts from a fresh connection.
                session?.Dispose();
                session = null;
            }
        }

        session?.Dispose();
    }

    private async Task CommitBatchAsync(SqliteSession session, List<PendingWrite> batch)
    {
        var handle = session.Connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        await BeginImmediateAsync(handle, _timeProvider, CancellationToken.None);
        try
        {
            foreach (var write in batch)
            {
                Check(handle, raw.sqlite3_exec(handle, "SAVEPOINT write;"));
                if (await write.RunAsync(session))
                {
                    Check(handle, raw.sqlite3_exec(handle, "RELEASE write;"));
                }
                else
                {
                    Check(handle, raw.sqlite3_exec(handle, "ROLLBACK TO write; RELEASE write;"));
                }
            }

            Check(handle, raw.sqlite3_exec(handle, "COMMIT;"));
        }
        finally
        {
            // Still inside the transaction: something failed before COMMIT. Never keep a connection mid-transaction.
            if (raw.sqlite3_get_autocommit(handle) == 0)
            {
                raw.sqlite3_exec(handle, "ROLLBACK;");
            }
        }

        foreach (var write in batch)
        {
            write.Commit();
        }
    }

    /// <summary>A write waiting for the writer loop; its task completes after the COMMIT that made it durable.</summary>
    private abstract class PendingWrite
    {
        /// <summary>Runs the write; false when it threw (its exception is kept for the caller).</summary>
        public abstract Task<bool> RunAsync(SqliteSession session);

        /// <summary>True (and the caller is told) when the caller gave up before the write ran.</summary>
        public abstract bool CancelIfRequested();

        public abstract void Commit();

        public abstract void Fail(Exception exception);
    }

    private sealed class PendingWrite<T>(Func<SqlSession, Task<T>> work, CancellationToken cancellationToken) : PendingWrite
    {
        private readonly TaskCompletionSource<T> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T _value = default!;
        private Exception? _failure;

        public Task<T> Result => _result.Task;

        public override async Task<bool> RunAsync(SqliteSession session)
        {
            try
            {
                _value = await work(session);
                return true;
            }
#pragma warning disable CA1031 // Handed to the caller, after the rest of the batch commits.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _failure = ex;
                return false;
            }
        }

        public override bool CancelIfRequested() => cancellationToken.IsCancellationRequested && _result.TrySetCanceled(cancellationToken);

        public override void Commit()
        {
            if (_failure is null)
            {
                _result.TrySetResult(_value);
            }
            else
            {
                _result.TrySetException(_failure);
            }
        }

        public override void Fail(Exception exception) => _result.TrySetException(_failure ?? exception);
    }

    /// <summary>
    /// Runs a read on an idle connection that keeps its prepared statements (preparing costs more than running a key
    /// lookup). In WAL mode readers never wait for writers.
    /// </summary>
    public async Task<T> ReadAsync<T>(Func<SqlSession, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!_readers.TryTake(out var session))
        {
            session = new SqliteSession(await OpenConnectionAsync(cancellationToken));
        }

        var reusable = false;
        try
        {
            var result = await work(session);
            reusable = true;
            return result;
        }
        finally
        {
            if (reusable && _readers.Count < _maxIdleReaders)
            {
                _readers.Add(session);
            }
            else
            {
                session.Dispose();
            }
        }
    }

    /// <summary>Drops this file's pooled connections (the database stays usable; new ones are opened on demand).</summary>
    public void Dispose()
    {
        while (_readers.TryTake(out var session))
        {
            session.Dispose();
        }

        // Writes already queued still run; then the writer closes its connection.
        _writes.Writer.TryComplete();
        _writerLoop.GetAwaiter().GetResult();

        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private static async Task<T> InWriteTransactionAsync<T>(
        SqliteConnection connection, Func<SqliteConnection, Task<T>> work, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var handle = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        await BeginImmediateAsync(handle, timeProvider, cancellationToken);
        try
        {
            var result = await work(connection);
            Check(handle, raw.sqlite3_exec(handle, "COMMIT;"));
            return result;
        }
        finally
        {
            // Still inside the transaction: the work threw (or COMMIT failed). Never pool a connection mid-transaction.
            if (raw.sqlite3_get_autocommit(handle) == 0)
            {
                raw.sqlite3_exec(handle, "ROLLBACK;");
            }
        }
    }

    /// <summary>BEGIN IMMEDIATE, retried with short, growing, jittered waits while another connection writes.</summary>
    private static async Task BeginImmediateAsync(sqlite3 handle, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var wait = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            var rc = raw.sqlite3_exec(handle, "BEGIN IMMEDIATE;");
            if (rc != raw.SQLITE_BUSY || timeProvider.GetElapsedTime(started) >= LockTimeout)
            {
                Check(handle, rc);
                return;
            }

            await Task.Delay(wait + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * wait.TotalMilliseconds), timeProvider, cancellationToken);
            wait = TimeSpan.FromMilliseconds(Math.Min(wait.TotalMilliseconds * 2, 25));
        }
    }

    private static void Check(sqlite3 handle, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(handle).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(handle));
        }
    }

    private static async Task<SqliteConnection> OpenConnectionAsync(string connectionString, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = ConnectionPragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<IReadOnlyList<string>> ApplyMigrationsAsync(
        string connectionString, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var migrations = MigrationScripts.Load(MigrationResourcePrefix, "SQLite");
        await using var connection = await OpenConnectionAsync(connectionString, cancellationToken);

        // Stored in the file: set once, a no-op afterwards.
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken);

        var known = migrations[^1].Version;
        var applied = new List<string>();
        foreach (var migration in migrations)
        {
            // Each migration checks and applies under the write lock, so concurrent openers apply it once.
            var ran = await InWriteTransactionAsync(
                connection,
                async c =>
                {
                    await ExecuteAsync(
                        c,
                        "CREATE TABLE IF NOT EXISTS schema_migrations (" +
                        "version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);",
                        cancellationToken);
                    var versions = await ReadVersionsAsync(c, cancellationToken);
                    var newest = versions.DefaultIfEmpty().Max();
                    if (newest > known)
                    {
                        // Running old code on a newer schema could silently misread rows.
                        throw new InvalidOperationException(
                            $"The database schema (version {newest}) is newer than this build knows ({known}); upgrade Seedgate.");
                    }

                    if (versions.Contains(migration.Version))
                    {
                        return false;
                    }

                    await ExecuteAsync(c, migration.Sql, cancellationToken);
                    await using var record = c.CreateCommand();
                    record.CommandText =
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @applied_at);";
                    record.Parameters.AddWithValue("@version", migration.Version);
                    record.Parameters.AddWithValue("@name", migration.Name);
                    record.Parameters.AddWithValue("@applied_at", timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
                    await record.ExecuteNonQueryAsync(cancellationToken);
                    return true;
                },
                timeProvider,
                cancellationToken);
            if (ran)
            {
                applied.Add(migration.Name);
            }
        }

        return applied;
    }

    private static async Task<HashSet<long>> ReadVersionsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM schema_migrations;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new HashSet<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions;
    }

    private static async Task<int> ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

}
