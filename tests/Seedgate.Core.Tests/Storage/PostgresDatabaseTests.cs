using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using Seedgate.Core.Storage.Postgres;

namespace Seedgate.Core.Tests.Storage;

/// <summary>
/// Opening and migrating a PostgreSQL database (each on a new, empty database), and the schema the stores rely on
/// (on the class's migrated database).
/// </summary>
public sealed class PostgresDatabaseTests(PostgresClassDatabase classDatabase) : IClassFixture<PostgresClassDatabase>, IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly List<PostgresTestDatabase> _databases = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var database in _databases)
        {
            await database.DisposeAsync();
        }

        await classDatabase.Database.CloseOpenedAsync();
    }

    [Fact]
    public async Task Migrations_run_once_and_are_recorded()
    {
        var database = await NewDatabaseAsync();
        var first = await database.OpenAsync();
        Assert.Equal(["001_initial", "002_job_core", "003_ledger", "004_plans", "005_upstream_tasks", "006_long_takes", "007_trace_context", "008_insertion_order", "009_webhooks", "010_callback_secrets", "011_segment_settlement"], first.MigrationsApplied);
        Assert.Equal(database.Name, first.DatabaseName);
        var rows = await MigrationRowsAsync(database);

        var second = await database.OpenAsync();
        Assert.Empty(second.MigrationsApplied);
        Assert.Equal(rows, await MigrationRowsAsync(database));
        Assert.Equal([(1, "001_initial"), (2, "002_job_core"), (3, "003_ledger"), (4, "004_plans"), (5, "005_upstream_tasks"), (6, "006_long_takes"), (7, "007_trace_context"), (8, "008_insertion_order"), (9, "009_webhooks"), (10, "010_callback_secrets"), (11, "011_segment_settlement")], rows.Select(r => (r.Version, r.Name)));
    }

    [Fact]
    public async Task Concurrent_opens_of_an_empty_database_apply_each_migration_once()
    {
        // Several rounds on fresh databases, each opener on its own thread and connection pool, to give the race chances.
        for (var round = 0; round < 2; round++)
        {
            var database = await NewDatabaseAsync();
            using var start = new Barrier(6);
            var opens = Enumerable.Range(0, 6).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    return database.OpenAsync();
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap()).ToArray();
            var opened = await Task.WhenAll(opens);

            Assert.Equal(["001_initial", "002_job_core", "003_ledger", "004_plans", "005_upstream_tasks", "006_long_takes", "007_trace_context", "008_insertion_order", "009_webhooks", "010_callback_secrets", "011_segment_settlement"], opened.SelectMany(d => d.MigrationsApplied).Order(StringComparer.Ordinal));
            Assert.Equal(11, (await MigrationRowsAsync(database)).Count);
            Assert.Empty((await database.OpenAsync()).MigrationsApplied);
        }
    }

    [Fact]
    public async Task A_schema_newer_than_the_build_is_refused()
    {
        var database = await NewDatabaseAsync();
        await database.OpenAsync();
        await database.ScalarAsync("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999_future', 0);");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.OpenAsync());
        Assert.Contains("999", error.Message);
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_fails_the_open()
    {
        // Port 1 on the loopback: refused at once.
        var unreachable = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.RequireServer()) { Port = 1, Timeout = 2 }.ToString();
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => PostgresDatabase.OpenAsync(unreachable, None));
    }

    [Fact]
    public async Task Tables_have_the_same_columns_as_the_sqlite_schema()
    {
        var opened = await classDatabase.Database.OpenAsync();
        using var sqliteFile = new TempSqliteFile();
        var sqlite = await sqliteFile.OpenAsync();
        await using var sqliteConnection = await sqlite.OpenConnectionAsync(None);

        foreach (var table in new[] { "accounts", "api_keys", "secrets", "jobs", "idempotency_keys", "schema_migrations", "webhook_endpoints", "webhook_deliveries", "webhook_callback_secrets" })
        {
            var expected = new List<(string, bool)>();
            await using (var command = sqliteConnection.CreateCommand())
            {
                command.CommandText = "SELECT name, \"notnull\" FROM pragma_table_info(@table) ORDER BY cid;";
                command.Parameters.AddWithValue("@table", table);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    // SQLite's INTEGER PRIMARY KEY columns may be declared without NOT NULL; the others say it.
                    expected.Add((reader.GetString(0), reader.GetInt64(1) == 1 || table == "schema_migrations" && reader.GetString(0) == "version"));
                }
            }

            if (table == "jobs")
            {
                expected.Add(("rowid", true)); // SQLite's implicit insertion order, a column of that name on PostgreSQL (migration 008)
            }

            var actual = new List<(string, bool)>();
            await using (var connection = await opened.DataSource.OpenConnectionAsync())
            await using (var command = new NpgsqlCommand(
                "SELECT column_name, is_nullable = 'NO' FROM information_schema.columns " +
                "WHERE table_schema = current_schema() AND table_name = @table ORDER BY ordinal_position;",
                connection))
            {
                command.Parameters.AddWithValue("table", table);
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    actual.Add((reader.GetString(0), reader.GetBoolean(1)));
                }
            }

            Assert.NotEmpty(actual);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [InlineData("claim", "ix_jobs_claim")]
    [InlineData("expire", "ix_jobs_expiry")]
    public async Task Claim_and_expiry_can_walk_their_partial_indexes(string statement, string index)
    {
        var opened = await classDatabase.Database.OpenAsync();
        await using var connection = await opened.DataSource.OpenConnectionAsync();

        // The tables are empty, so a scan would win on cost; forbidding the alternatives shows the partial index is
        // usable at all (its predicate proven from the query's) and, for the claim, gives the claim order unsorted.
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off;", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand(
            "EXPLAIN (COSTS OFF) " + (statement == "claim" ? PostgresJobStatements.Instance.ClaimSql : PostgresJobStatements.Instance.Expire.ReturningIds), connection);
        explain.Parameters.Add(new NpgsqlParameter("now", NpgsqlDbType.Bigint) { Value = 1L });
        if (statement == "claim")
        {
            explain.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = "node-1" });
            explain.Parameters.Add(new NpgsqlParameter("lease_until", NpgsqlDbType.Bigint) { Value = 2L });
            explain.Parameters.Add(new NpgsqlParameter("max", NpgsqlDbType.Integer) { Value = 4 });
        }

        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        var text = string.Join('\n', plan);
        Assert.Contains(index, text);
        Assert.Contains("LockRows", text);
        Assert.Contains("InitPlan", text); // the locking subquery runs exactly once (see PostgresJobStatements.ClaimSql)
        Assert.DoesNotContain("Sort", text);
    }

    [Fact]
    public async Task A_jobs_ledger_entries_are_read_through_the_job_kind_index()
    {
        var opened = await classDatabase.Database.OpenAsync();
        await using var connection = await opened.DataSource.OpenConnectionAsync();

        // As in the test above: with scans forbidden, a plan without the index condition shows the index cannot serve
        // the lookup at all (as when ledger_entries.job_id had another collation than jobs.id: every task view scanned
        // the whole ledger).
        await using (var off = new NpgsqlCommand("SET enable_seqscan = off; SET enable_bitmapscan = off;", connection))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand($"EXPLAIN (COSTS OFF) SELECT jobs.id, {Core.Storage.JobRows.LedgerColumnsOf("jobs.id")} FROM jobs WHERE id = 'x';", connection);
        var plan = new List<string>();
        await using (var reader = await explain.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        // The job's id must be an index condition: a whole-index walk filtered by it is no better than a scan.
        Assert.Contains(plan, line => line.Contains("Index Cond", StringComparison.Ordinal) && line.Contains("job_id = jobs.id", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("Seq Scan on ledger_entries", StringComparison.Ordinal));
    }

    private async Task<PostgresTestDatabase> NewDatabaseAsync()
    {
        var database = await PostgresTestDatabase.CreateAsync();
        _databases.Add(database);
        return database;
    }

    private static async Task<List<(int Version, string Name, long AppliedAt)>> MigrationRowsAsync(PostgresTestDatabase database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version, name, applied_at FROM schema_migrations ORDER BY version;", connection);
        var rows = new List<(int, string, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return rows;
    }
}
