using System.Data.Common;
using Npgsql;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Storage.Postgres;

/// <summary>
/// One PostgreSQL database, migrated to the current schema: a single <see cref="NpgsqlDataSource"/> (one connection
/// pool) shared by the stores. Several nodes may open the same database at once; each node should open one instance.
/// </summary>
/// <remarks>
/// A write is one transaction (read committed) holding a job transition and its effects; each transition is one
/// statement made race-free by its WHERE clause (re-checked by PostgreSQL on rows that changed under it) or by row
/// locks taken with <c>FOR UPDATE SKIP LOCKED</c>. Hot statements are auto-prepared per physical connection
/// (<c>Max Auto Prepare</c>, set here unless the connection string chooses its own).
/// Failures: opening a connection and running a read are retried briefly on transient errors (nothing was
/// changed); a write is never retried, since a lost reply can hide a commit and a conditional write repeated after
/// its own success would report that the lease was lost. Constraint violations surface as
/// <see cref="PostgresException"/> (a <see cref="System.Data.Common.DbException"/>, as SQLite's are), cancellation as
/// <see cref="OperationCanceledException"/>.
/// </remarks>
public sealed class PostgresDatabase : ISqlDatabase, IAsyncDisposable
{
    private const string MigrationResourcePrefix = "Seedgate.Core.Storage.Postgres.Migrations.";

    /// <summary>The advisory lock that serializes migrations across nodes: "Seedgate" in ASCII.</summary>
    private const long MigrationLockKey = 0x5365656467617465;

    private const int MaxAttempts = 3;

    private readonly TimeProvider _timeProvider;

    private PostgresDatabase(NpgsqlDataSource dataSource, TimeProvider timeProvider)
    {
        DataSource = dataSource;
        _timeProvider = timeProvider;
    }

    /// <summary>
    /// The migrations <see cref="MigrateAsync(CancellationToken)"/> applied (e.g. <c>001_initial</c>); empty when the
    /// database was up to date.
    /// </summary>
    public IReadOnlyList<string> MigrationsApplied { get; private set; } = [];

    /// <summary>The database name from the connection string.</summary>
    public string? DatabaseName => new NpgsqlConnectionStringBuilder(DataSource.ConnectionString).Database;

    internal NpgsqlDataSource DataSource { get; }

    public static Task<PostgresDatabase> OpenAsync(string connectionString, CancellationToken cancellationToken) =>
        OpenAsync(connectionString, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Connects and applies the migrations the database lacks: <see cref="Create"/>, then
    /// <see cref="MigrateAsync(CancellationToken)"/>.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string (Host, Port, Username, Database, …).</param>
    /// <param name="timeProvider">Stamps schema_migrations.applied_at and times retry waits.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    public static async Task<PostgresDatabase> OpenAsync(string connectionString, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var database = Create(connectionString, timeProvider);
        try
        {
            await database.MigrateAsync(cancellationToken);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The database behind a connection string, not yet connected to: connections open with the first statement or
    /// <see cref="MigrateAsync(CancellationToken)"/>. A host creates it while composing and migrates it at start.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string (Host, Port, Username, Database, …).</param>
    /// <param name="timeProvider">Stamps schema_migrations.applied_at and times retry waits.</param>
    public static PostgresDatabase Create(string connectionString, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentNullException.ThrowIfNull(timeProvider);

        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            // The stores run a handful of fixed statements; prepared once per connection they skip parse and plan.
            builder.MaxAutoPrepare = 32;
            builder.AutoPrepareMinUsages = 2;
        }

        builder.ApplicationName ??= "seedgate";
        return new PostgresDatabase(NpgsqlDataSource.Create(builder), timeProvider);
    }

    /// <summary>
    /// Applies the migrations the database lacks, each in its own transaction under a transaction-level advisory lock,
    /// so that nodes starting at once apply each migration exactly once. Refuses a database whose schema is newer than
    /// this build knows.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken) =>
        MigrationsApplied = await ApplyMigrationsAsync(DataSource, _timeProvider, cancellationToken);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    JobStatements ISqlDatabase.JobStatements => PostgresJobStatements.Instance;

    /// <summary>Runs a read on a pooled connection, again (briefly) after a transient failure: reads change nothing.</summary>
    public async Task<T> ReadAsync<T>(Func<SqlSession, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
                return await work(new PostgresSession(connection, null));
            }
            catch (NpgsqlException ex) when (ex.IsTransient && attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Backoff(attempt), _timeProvider, cancellationToken);
            }
        }
    }

    /// <summary>Runs a write in one transaction on a pooled connection; only the connect is retried (see remarks on the class).</summary>
    public async Task<T> WriteAsync<T>(Func<SqlSession, Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await OpenConnectionAsync(DataSource, _timeProvider, cancellationToken);

        // Npgsql sends BEGIN with the first statement: a transaction costs one round trip more (the COMMIT).
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var session = new PostgresSession(connection, transaction);
        var result = await work(session);
        await session.FlushAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>Runs a one-statement write in autocommit on a pooled connection; only the connect is retried.</summary>
    Task<T> ISqlDatabase.WriteOneAsync<T>(Func<SqlSession, Task<T>> statement, CancellationToken cancellationToken) =>
        WriteOneAsync(statement, cancellationToken);

    private async Task<T> WriteOneAsync<T>(Func<SqlSession, Task<T>> statement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statement);
        await using var connection = await OpenConnectionAsync(DataSource, _timeProvider, cancellationToken);
        var session = new PostgresSession(connection, null);
        var result = await statement(session);
        await session.FlushAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Statements on one connection (and transaction), each sent as an <see cref="NpgsqlBatch"/> behind the deferred
    /// statements not yet sent (one round trip for all); Npgsql prepares the hot ones itself (auto-prepare).
    /// </summary>
    private sealed class PostgresSession(NpgsqlConnection connection, NpgsqlTransaction? transaction) : SqlSession
    {
        private readonly List<NpgsqlBatchCommand> _deferred = [];

        public override async Task<int> ExecuteAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
        {
            var statement = Command(sql, bind);
            await using var batch = Batch([statement]);
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return statement.RecordsAffected;
        }

        public override async Task<List<T>> QueryAsync<T>(
            string sql, Action<DbCommand> bind, Func<DbDataReader, T> map, CancellationToken cancellationToken)
        {
            await using var batch = Batch([Command(sql, bind)]);

            // The deferred statements ahead of it return no rows: the reader starts at this statement's.
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            return await MapAllAsync(reader, map, cancellationToken);
        }

        public override async Task<int> ExecuteEachAsync<T>(
            string sql, IReadOnlyList<T> items, Action<DbCommand, T> bind, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(items);
            if (items.Count == 0)
            {
                return 0;
            }

            NpgsqlBatchCommand[] statements = [.. items.Select(item => Command(sql, c => bind(c, item)))];
            await using var batch = Batch(statements);
            await batch.ExecuteNonQueryAsync(cancellationToken);
            return statements.Sum(c => c.RecordsAffected);
        }

        public override Task ExecuteDeferredAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken)
        {
            _deferred.Add(Command(sql, bind));
            return Task.CompletedTask;
        }

        public override Task ExecuteEachDeferredAsync<T>(
            string sql, IReadOnlyList<T> items, Action<DbCommand, T> bind, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(items);
            _deferred.AddRange(items.Select(item => Command(sql, c => bind(c, item))));
            return Task.CompletedTask;
        }

        /// <summary>Sends the deferred statements still held back (the unit of work ends).</summary>
        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_deferred.Count > 0)
            {
                await using var batch = Batch([]);
                await batch.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        /// <summary>A batch of the deferred statements, then <paramref name="statements"/>; the deferred ones are sent with it.</summary>
        private NpgsqlBatch Batch(NpgsqlBatchCommand[] statements)
        {
            var batch = new NpgsqlBatch(connection, transaction);
            foreach (var command in _deferred.Concat(statements))
            {
                batch.BatchCommands.Add(command);
            }

            _deferred.Clear();
            return batch;
        }

        private static NpgsqlBatchCommand Command(string sql, Action<DbCommand> bind)
        {
#pragma warning disable CA2100 // Only the stores' own SQL texts come here; values are bound as parameters.
            var command = new NpgsqlBatchCommand(sql);
#pragma warning restore CA2100

            // Batch commands are not DbCommands: bind through a scratch command, then move its parameters over.
            using var scratch = new NpgsqlCommand();
            bind(scratch);
            foreach (var parameter in scratch.Parameters.ToArray())
            {
                scratch.Parameters.Remove(parameter);
                command.Parameters.Add(parameter);
            }

            return command;
        }
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds((attempt == 1 ? 50 : 250) * (0.5 + Random.Shared.NextDouble()));

    private static async Task<NpgsqlConnection> OpenConnectionAsync(
        NpgsqlDataSource dataSource, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await dataSource.OpenConnectionAsync(cancellationToken);
            }
            catch (NpgsqlException ex) when (ex.IsTransient && attempt < MaxAttempts && !cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(Backoff(attempt), timeProvider, cancellationToken);
            }
        }
    }

    private static async Task<IReadOnlyList<string>> ApplyMigrationsAsync(
        NpgsqlDataSource dataSource, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var migrations = MigrationScripts.Load(MigrationResourcePrefix, "PostgreSQL");
        var known = migrations[^1].Version;
        var applied = new List<string>();
        await using var connection = await OpenConnectionAsync(dataSource, timeProvider, cancellationToken);
        foreach (var migration in migrations)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

            // Held until this transaction ends; a node that waited here then sees the other node's row.
            await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key);", connection, transaction))
            {
                command.Parameters.AddWithValue("key", MigrationLockKey);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await ExecuteAsync(
                connection,
                transaction,
                "CREATE TABLE IF NOT EXISTS schema_migrations (" +
                "version integer NOT NULL PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL);",
                cancellationToken);

            var versions = await ReadVersionsAsync(connection, transaction, cancellationToken);
            var newest = versions.DefaultIfEmpty().Max();
            if (newest > known)
            {
                // Running old code on a newer schema could silently misread rows.
                throw new InvalidOperationException(
                    $"The database schema (version {newest}) is newer than this build knows ({known}); upgrade Seedgate.");
            }

            if (!versions.Contains(migration.Version))
            {
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
                await using var record = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @applied_at);",
                    connection,
                    transaction);
                record.Parameters.AddWithValue("version", migration.Version);
                record.Parameters.AddWithValue("name", migration.Name);
                record.Parameters.AddWithValue("applied_at", timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
                await record.ExecuteNonQueryAsync(cancellationToken);
                applied.Add(migration.Name);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        return applied;
    }

    private static async Task<HashSet<int>> ReadVersionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM schema_migrations;", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new HashSet<int>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
#pragma warning disable CA2100 // Only the embedded migration scripts and the runner's own constant SQL come here.
        await using var command = new NpgsqlCommand(sql, connection, transaction);
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

}
