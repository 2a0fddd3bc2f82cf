using Npgsql;
using Seedgate.Core.Storage.Postgres;

namespace Seedgate.Core.Tests.Storage;

/// <summary>
/// A fresh database (seedgate_test_…) on the server named by SEEDGATE_TEST_POSTGRES, dropped on dispose.
/// Without that variable the PostgreSQL tests fail (they are never skipped): ./test.sh starts a throwaway server,
/// and CI always runs them.
/// </summary>
internal sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string ServerVariable = "SEEDGATE_TEST_POSTGRES";

    private readonly string _serverConnectionString;
    private readonly List<PostgresDatabase> _opened = [];

    private PostgresTestDatabase(string serverConnectionString, string name)
    {
        _serverConnectionString = serverConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ToString();
    }

    public string Name { get; }

    /// <summary>The connection string of this test's database.</summary>
    public string ConnectionString { get; }

    /// <summary>The server's connection string, or a failure that says how to start one.</summary>
    public static string RequireServer()
    {
        var server = Environment.GetEnvironmentVariable(ServerVariable);
        if (!string.IsNullOrWhiteSpace(server))
        {
            return server;
        }

        var inCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        throw new InvalidOperationException(
            (inCi
                ? $"{ServerVariable} is not set, but in CI (CI=true) the PostgreSQL tests always run and need a server."
                : $"{ServerVariable} is not set, so the PostgreSQL tests have no server.") +
            " Run ./test.sh (it starts a throwaway server), or `source scripts/postgres.sh && postgres_start` before " +
            "`dotnet test` (and `postgres_stop` after), or point " + ServerVariable + " at a server you own " +
            "(e.g. Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres) whose user may create databases.");
    }

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var server = RequireServer();
        var database = new PostgresTestDatabase(server, "seedgate_test_" + Guid.NewGuid().ToString("N"));
        await database.ExecuteOnServerAsync($"CREATE DATABASE {database.Name};");
        return database;
    }

    /// <summary>A new <see cref="PostgresDatabase"/> (its own connection pool) over this database, as another node opens it.</summary>
    public async Task<PostgresDatabase> OpenAsync()
    {
        var database = await PostgresDatabase.OpenAsync(ConnectionString, CancellationToken.None);
        lock (_opened)
        {
            _opened.Add(database);
        }

        return database;
    }

    /// <summary>Runs one statement on this database through a connection of its own.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Empties every table (the schema stays), for the next test on this database.</summary>
    public Task ResetAsync() =>
        ScalarAsync("DELETE FROM api_keys; DELETE FROM accounts; DELETE FROM secrets; DELETE FROM jobs; DELETE FROM ledger_entries; DELETE FROM free_quota_use; DELETE FROM account_months; DELETE FROM rate_buckets; DELETE FROM account_open; DELETE FROM upstream_tasks; DELETE FROM upstream_turns; DELETE FROM webhook_deliveries; DELETE FROM webhook_endpoints; DELETE FROM webhook_callback_secrets;");

    /// <summary>Closes the connection pools of every <see cref="PostgresDatabase"/> opened so far.</summary>
    public async Task CloseOpenedAsync()
    {
        PostgresDatabase[] opened;
        lock (_opened)
        {
            opened = [.. _opened];
            _opened.Clear();
        }

        foreach (var database in opened)
        {
            await database.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await CloseOpenedAsync();

        // FORCE: a connection a failed test left open must not keep the database alive.
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE);");
    }

    private async Task ExecuteOnServerAsync(string sql)
    {
        // Not pooled: the server's maintenance database should not keep idle connections from every test.
        var builder = new NpgsqlConnectionStringBuilder(_serverConnectionString) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ToString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>
/// One migrated PostgreSQL database per test class (CREATE DATABASE costs about half a second, too much per test).
/// The class empties it at the start of each test (<see cref="PostgresTestDatabase.ResetAsync"/>); tests in a class
/// run one at a time, so no test sees another's rows.
/// </summary>
public sealed class PostgresClassDatabase : IAsyncLifetime
{
    private PostgresTestDatabase? _database;

    internal PostgresTestDatabase Database =>
        _database ?? throw new InvalidOperationException("The class database was not created.");

    public async Task InitializeAsync()
    {
        _database = await PostgresTestDatabase.CreateAsync();
        await _database.OpenAsync(); // applies the migrations once
        await _database.CloseOpenedAsync();
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
