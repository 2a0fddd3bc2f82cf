using Microsoft.Data.Sqlite;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sqlite;

namespace Seedgate.Core.Tests.Storage;

/// <summary>Opening, migrating and reopening the SQLite file, and the locking the stores rely on.</summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, 89, TimeSpan.Zero);
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempSqliteFile _file = new();

    public void Dispose() => _file.Dispose();

    [Theory]
    [InlineData(":memory:")]
    [InlineData("file::memory:?cache=shared")]
    [InlineData("file:seedgate?mode=memory")]
    [InlineData("")]
    [InlineData("  ")]
    public async Task In_memory_or_empty_paths_are_refused(string path)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => SqliteDatabase.OpenAsync(path, None));
    }

    [Fact]
    public async Task Open_creates_the_directory_and_sets_up_connections()
    {
        var nested = Path.Combine(_file.DirectoryPath, "a", "b", "jobs.db");
        using var database = await SqliteDatabase.OpenAsync(nested, None);
        Assert.True(File.Exists(nested));
        Assert.Equal(nested, database.FilePath);

        await using var connection = await database.OpenConnectionAsync(None);
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA foreign_keys;"));
        Assert.Equal(0L, await ScalarAsync(connection, "PRAGMA busy_timeout;")); // writers wait in managed code
        Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA synchronous;")); // NORMAL
    }

    [Fact]
    public async Task Migrations_run_once_and_are_recorded()
    {
        var first = await _file.OpenAsync();
        Assert.Equal(["001_initial", "002_job_core", "003_ledger", "004_plans", "005_upstream_tasks", "006_long_takes", "007_trace_context", "008_insertion_order", "009_webhooks", "010_callback_secrets", "011_segment_settlement"], first.MigrationsApplied);
        var appliedAt = await MigrationRowsAsync(first);

        var second = await _file.OpenAsync();
        Assert.Empty(second.MigrationsApplied);
        Assert.Equal(appliedAt, await MigrationRowsAsync(second));
        Assert.Equal([(1L, "001_initial"), (2L, "002_job_core"), (3L, "003_ledger"), (4L, "004_plans"), (5L, "005_upstream_tasks"), (6L, "006_long_takes"), (7L, "007_trace_context"), (8L, "008_insertion_order"), (9L, "009_webhooks"), (10L, "010_callback_secrets"), (11L, "011_segment_settlement")], appliedAt.Select(r => (r.Version, r.Name)));
    }

    [Fact]
    public async Task Concurrent_opens_of_a_new_file_apply_each_migration_once()
    {
        // Several rounds on fresh files, each opener on its own thread, to give the race many chances.
        for (var round = 0; round < 4; round++)
        {
            var path = Path.Combine(_file.DirectoryPath, $"round-{round}.db");
            using var start = new Barrier(6);
            var opens = Enumerable.Range(0, 6).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    return SqliteDatabase.OpenAsync(path, None);
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default).Unwrap()).ToArray();
            var databases = await Task.WhenAll(opens);

            Assert.Equal(["001_initial", "002_job_core", "003_ledger", "004_plans", "005_upstream_tasks", "006_long_takes", "007_trace_context", "008_insertion_order", "009_webhooks", "010_callback_secrets", "011_segment_settlement"], databases.SelectMany(d => d.MigrationsApplied).Order(StringComparer.Ordinal));
            Assert.Equal(11, (await MigrationRowsAsync(databases[0])).Count);
            foreach (var database in databases)
            {
                database.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_schema_newer_than_the_build_is_refused()
    {
        var database = await _file.OpenAsync();
        await using (var connection = await database.OpenConnectionAsync(None))
        {
            await ScalarAsync(connection, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, '999_future', 0);");
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => _file.OpenAsync());
        Assert.Contains("999", error.Message);
    }

    [Fact]
    public async Task Jobs_survive_reopening_the_file()
    {
        var job = new Job
        {
            Id = JobIds.New(T0),
            AccountId = "acct-a",
            Status = JobStatus.Queued,
            Request = new GenerationRequest { Model = "seedance-2.0", Prompt = "rain", Priority = 3 },
            RequestedModel = "seedance-2.0",
            CreatedAt = T0,
            UpdatedAt = T0,
            ExpiresAt = T0.AddDays(1),
            Engine = "sandbox",
        };
        var done = job with { Id = JobIds.New(T0) };
        using (var database = await SqliteDatabase.OpenAsync(_file.FilePath, None))
        {
            var store = new SqlJobStore(database);
            await store.CreateAsync(job, None);
            await store.CreateAsync(done, None);
            Assert.Equal(2, (await store.ClaimAsync("node-1", 2, T0, TimeSpan.FromMinutes(1), None)).Count);
            Assert.True(await store.CheckpointAsync(job.Id, "node-1", new EngineCheckpoint("submitted", "up-1"), T0, None));
            Assert.True(await store.FailAsync(done.Id, "node-1", JobStatus.Failed, new JobError("X", "x"), T0, None));
        }

        using var reopened = await SqliteDatabase.OpenAsync(_file.FilePath, None);
        Assert.Empty(reopened.MigrationsApplied);
        var again = new SqlJobStore(reopened);
        var running = (await again.GetAsync(job.Id, None))!;
        Assert.Equal(JobStatus.Running, running.Status);
        Assert.Equal("node-1", running.LeaseOwner);
        Assert.Equal("up-1", running.UpstreamTaskId);
        Assert.Equal(JobStatus.Failed, (await again.GetAsync(done.Id, None))!.Status);

        // After a crash, the lapsed lease hands the job to the next node.
        Assert.Equal(job.Id, Assert.Single(await again.ClaimAsync("node-2", 5, T0.AddMinutes(1), TimeSpan.FromMinutes(1), None)).Id);
    }

    [Fact]
    public async Task Writes_take_the_write_lock_at_begin_and_roll_back_on_failure()
    {
        var database = await _file.OpenAsync();
        await using var other = await database.OpenConnectionAsync(None);

        await Assert.ThrowsAsync<InvalidOperationException>(() => database.WriteAsync<int>(
            async session =>
            {
                // No statement ran yet: only BEGIN IMMEDIATE (not a deferred BEGIN) holds the lock already.
                Assert.Equal(SQLitePCL.raw.SQLITE_BUSY, SQLitePCL.raw.sqlite3_exec(other.Handle, "BEGIN IMMEDIATE;"));
                await session.ExecuteAsync("INSERT INTO secrets (name, value) VALUES ('half-done', x'00');", _ => { }, None);
                throw new InvalidOperationException("work failed");
            },
            None));

        Assert.Equal(SQLitePCL.raw.SQLITE_OK, SQLitePCL.raw.sqlite3_exec(other.Handle, "BEGIN IMMEDIATE; ROLLBACK;"));
        Assert.Equal(0L, await ScalarAsync(other, "SELECT COUNT(*) FROM secrets;"));
    }

    [Fact]
    public async Task A_writer_waits_for_another_processes_write_lock()
    {
        var holder = await _file.OpenAsync();
        var store = new SqlJobStore(await _file.OpenAsync());
        await using var lockHolder = await holder.OpenConnectionAsync(None);
        Assert.Equal(SQLitePCL.raw.SQLITE_OK, SQLitePCL.raw.sqlite3_exec(lockHolder.Handle, "BEGIN IMMEDIATE;"));

        var job = new Job
        {
            Id = JobIds.New(T0),
            AccountId = "acct-a",
            Status = JobStatus.Queued,
            Request = new GenerationRequest { Model = "seedance-2.0" },
            RequestedModel = "seedance-2.0",
            CreatedAt = T0,
            UpdatedAt = T0,
            ExpiresAt = T0.AddDays(1),
            Engine = "sandbox",
        };
        var create = Task.Run(() => store.CreateAsync(job, None));

        // A bounded look (not a synchronization sleep): the create must still be waiting, not failed.
        await Task.WhenAny(create, Task.Delay(TimeSpan.FromMilliseconds(150)));
        Assert.False(create.IsCompleted);

        Assert.Equal(SQLitePCL.raw.SQLITE_OK, SQLitePCL.raw.sqlite3_exec(lockHolder.Handle, "COMMIT;"));
        await create.WaitAsync(SqliteDatabase.LockTimeout);
        Assert.NotNull(await store.GetAsync(job.Id, None));
    }

    [Fact]
    public async Task Claim_walks_the_partial_claim_index()
    {
        var database = await _file.OpenAsync();
        await using var connection = await database.OpenConnectionAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + SqliteJobStatements.Instance.ClaimSql;
        foreach (var name in new[] { "@owner", "@now", "@lease_until", "@max" })
        {
            command.Parameters.AddWithValue(name, 1);
        }

        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.Contains(plan, line => line.Contains("ix_jobs_claim"));
        Assert.DoesNotContain(plan, line => line.Contains("TEMP B-TREE"));
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    private static async Task<List<(long Version, string Name, long AppliedAt)>> MigrationRowsAsync(SqliteDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync(None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version, name, applied_at FROM schema_migrations ORDER BY version;";
        var rows = new List<(long, string, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2)));
        }

        return rows;
    }
}
