using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace Seedgate.Core.Storage.Sqlite;

/// <summary>
/// One SQLite database file, migrated to the current schema. Hands out a fresh connection per operation
/// (Microsoft.Data.Sqlite pools them), each set up for concurrent use by several processes: WAL, a busy
/// timeout, foreign keys on. Several instances (and processes) may open the same file at once.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    /// <summary>How long a statement waits for another connection's write lock before it fails.</summary>
    private const int BusyTimeoutMilliseconds = 5000;

    private const string MigrationResourcePrefix = "Seedgate.Core.Storage.Sqlite.Migrations.";

    // Per connection (not stored in the file), so every opened connection runs them.
    private const string ConnectionPragmas =
        "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

    private readonly string _connectionString;

    static SqliteDatabase() => SQLitePCL.Batteries_V2.Init();

    private SqliteDatabase(string filePath, string connectionString, IReadOnlyList<string> migrationsApplied)
    {
        FilePath = filePath;
        _connectionString = connectionString;
        MigrationsApplied = migrationsApplied;
    }

    /// <summary>The full path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>The migrations this open applied (e.g. <c>001_initial</c>); empty when the file was up to date.</summary>
    public IReadOnlyList<string> MigrationsApplied { get; }

    public static Task<SqliteDatabase> OpenAsync(string filePath, CancellationToken cancellationToken) =>
        OpenAsync(filePath, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Opens (creating when needed) the database file and applies the migrations it lacks, each in its own
    /// transaction. Concurrent openers of the same file serialize on the write lock, so each migration runs once.
    /// </summary>
    /// <param name="filePath">A file path; in-memory databases are refused (jobs must survive the process).</param>
    /// <param name="timeProvider">Stamps schema_migrations.applied_at.</param>
    /// <param name="cancellationToken">Cancels the open.</param>
    public static async Task<SqliteDatabase> OpenAsync(string filePath, TimeProvider timeProvider, CancellationToken cancellationToken)
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
        if (Path.GetDirectoryName(fullPath) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();

        var applied = await MigrateAsync(connectionString, timeProvider, cancellationToken);
        return new SqliteDatabase(fullPath, connectionString, applied);
    }

    /// <summary>An open connection with the per-connection pragmas set; the caller disposes it.</summary>
    internal Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        OpenConnectionAsync(_connectionString, cancellationToken);

    /// <summary>
    /// Starts a write transaction with BEGIN IMMEDIATE: the write lock is taken up front (waiting out the busy
    /// timeout), so no reader-turned-writer can fail half-way with SQLITE_BUSY.
    /// </summary>
    internal static async Task<SqliteTransaction> BeginWriteAsync(SqliteConnection connection, CancellationToken cancellationToken) =>
        // Microsoft.Data.Sqlite issues BEGIN IMMEDIATE for every isolation level but ReadUncommitted (BEGIN DEFERRED).
        (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellationToken);

    /// <summary>Starts a read transaction (BEGIN DEFERRED): one consistent snapshot for several reads.</summary>
    /// <remarks>
    /// Synchronous on purpose: there is no async overload taking <c>deferred</c>, and Microsoft.Data.Sqlite's async
    /// methods run synchronously anyway. In WAL mode readers never wait for writers.
    /// </remarks>
    internal static SqliteTransaction BeginRead(SqliteConnection connection) => connection.BeginTransaction(deferred: true);

    /// <summary>Drops this file's pooled connections (the database stays usable; new ones are opened on demand).</summary>
    public void Dispose()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
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

    private static async Task<IReadOnlyList<string>> MigrateAsync(
        string connectionString, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var migrations = LoadMigrations();
        await using var connection = await OpenConnectionAsync(connectionString, cancellationToken);

        // Stored in the file: set once, a no-op afterwards.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode = WAL;", cancellationToken);

        await using (var transaction = await BeginWriteAsync(connection, cancellationToken))
        {
            await ExecuteAsync(
                connection,
                transaction,
                "CREATE TABLE IF NOT EXISTS schema_migrations (" +
                "version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);",
                cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var known = migrations[^1].Version;
        var newest = (await ReadVersionsAsync(connection, null, cancellationToken)).DefaultIfEmpty().Max();
        if (newest > known)
        {
            // Running old code on a newer schema could silently misread rows.
            throw new InvalidOperationException(
                $"The database schema (version {newest}) is newer than this build knows ({known}); upgrade Seedgate.");
        }

        var applied = new List<string>();
        foreach (var migration in migrations.Where(m => m.Version > newest))
        {
            // Re-checked under the write lock: a concurrent opener may have applied it meanwhile.
            await using var transaction = await BeginWriteAsync(connection, cancellationToken);
            if ((await ReadVersionsAsync(connection, transaction, cancellationToken)).Contains(migration.Version))
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($version, $name, $applied_at);";
                record.Parameters.AddWithValue("$version", migration.Version);
                record.Parameters.AddWithValue("$name", migration.Name);
                record.Parameters.AddWithValue("$applied_at", timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            applied.Add(migration.Name);
        }

        return applied;
    }

    private static async Task<HashSet<long>> ReadVersionsAsync(
        SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version FROM schema_migrations;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var versions = new HashSet<long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            versions.Add(reader.GetInt64(0));
        }

        return versions;
    }

    private static async Task ExecuteAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The embedded Migrations/NNN_name.sql scripts, in version order.</summary>
    private static List<Migration> LoadMigrations()
    {
        var assembly = typeof(SqliteDatabase).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(MigrationResourcePrefix, StringComparison.Ordinal) ||
                !resource.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var name = resource[MigrationResourcePrefix.Length..^".sql".Length];
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 ||
                !int.TryParse(name.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNN_name.sql.");
            }

            migrations.Add(new Migration(version, name, ReadResource(assembly, resource)));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migrations must be numbered 1, 2, 3… without gaps; found {migrations[i].Name}.");
            }
        }

        if (migrations.Count == 0)
        {
            throw new InvalidOperationException("No SQLite migrations are embedded in Seedgate.Core.");
        }

        return migrations;
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Missing resource {resource}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private sealed record Migration(int Version, string Name, string Sql);
}
