using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Tests.Storage;

/// <summary>
/// What every SQL provider must do with the transaction seam: <see cref="IJobEffect"/> rows commit with their job
/// transition, and are absent when the transition is refused or the transaction fails; idempotency keys (the first
/// effect) make one job per key. A provider's test class supplies fresh, empty databases.
/// </summary>
public abstract class JobTransactionCompliance
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, 89, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A new instance over this test's database (empty at the first call in each test), as another node would open it.</summary>
    private protected abstract Task<ISqlDatabase> OpenDatabaseAsync();

    // ---- side rows -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Side_rows_commit_with_every_transition()
    {
        var (store, rows) = await StoreWithSideRowsAsync();
        var done = NewJob();
        var failed = NewJob();
        var retried = NewJob();
        var cancelled = NewJob();
        var expired = NewJob() with { ExpiresAt = T0.AddMinutes(1) };
        await store.CreateManyAsync([done, failed, retried], None);
        await store.CreateAsync(cancelled, None);
        await store.CreateAsync(expired, None);

        Assert.True(await store.CancelQueuedAsync(cancelled.AccountId, cancelled.Id, T0, None));
        Assert.Equal([expired.Id], await store.ExpireDueAsync(T0.AddMinutes(2), None));
        Assert.Equal(3, (await store.ClaimAsync("node-1", 10, T0.AddMinutes(2), Lease, None)).Count);
        Assert.True(await store.CompleteAsync(done.Id, "node-1", JobSamples.Outputs(), 10, T0.AddMinutes(3), None));
        Assert.True(await store.FailAsync(failed.Id, "node-1", JobStatus.Failed, new JobError("InvalidParameter", "no"), T0.AddMinutes(3), None));
        Assert.True(await store.ScheduleRetryAsync(retried.Id, "node-1", new JobError("Timeout", "slow"), T0.AddMinutes(4), T0.AddMinutes(3), None));
        Assert.True(await store.DeleteTerminalAsync(done.AccountId, done.Id, None));

        Assert.Equal(
            [
                (done.Id, "Created"), (done.Id, "Claimed"), (done.Id, "Completed"), (done.Id, "Deleted"),
                (failed.Id, "Created"), (failed.Id, "Claimed"), (failed.Id, "Failed"),
                (retried.Id, "Created"), (retried.Id, "Claimed"), (retried.Id, "RetryScheduled"),
                (cancelled.Id, "Created"), (cancelled.Id, "Cancelled"),
                (expired.Id, "Created"), (expired.Id, "Expired"),
            ],
            OrderBy([done, failed, retried, cancelled, expired], await rows.ReadAsync()));
    }

    [Fact]
    public async Task Refused_transitions_write_no_side_rows()
    {
        var (store, rows) = await StoreWithSideRowsAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.False(await store.DeleteTerminalAsync(job.AccountId, job.Id, None)); // queued: not deletable
        Assert.False(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 10, T0, None)); // not claimed
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.False(await store.CancelQueuedAsync(job.AccountId, job.Id, T0, None)); // running
        Assert.False(await store.CompleteAsync(job.Id, "node-2", JobSamples.Outputs(), 10, T0, None)); // lease not held
        Assert.False(await store.FailAsync(job.Id, "node-2", JobStatus.Failed, new JobError("X", "y"), T0, None));
        Assert.Empty(await store.CompleteManyAsync([new JobCompletion(job.Id, "node-2", JobSamples.Outputs(), 1)], T0, None));

        Assert.Equal([(job.Id, "Created"), (job.Id, "Claimed")], await rows.ReadAsync());
    }

    [Fact]
    public async Task Complete_many_writes_side_rows_only_for_the_jobs_it_completed()
    {
        var (store, rows) = await StoreWithSideRowsAsync();
        var mine = NewJob();
        var lost = NewJob();
        await store.CreateManyAsync([mine, lost], None);
        Assert.Equal(2, (await store.ClaimAsync("node-1", 2, T0, Lease, None)).Count);

        var completed = await store.CompleteManyAsync(
            [new JobCompletion(mine.Id, "node-1", JobSamples.Outputs(), 5), new JobCompletion(lost.Id, "node-2", JobSamples.Outputs(), 5)],
            T0.AddMinutes(1),
            None);

        Assert.Equal([mine.Id], completed);
        Assert.Contains((mine.Id, "Completed"), await rows.ReadAsync());
        Assert.DoesNotContain((lost.Id, "Completed"), await rows.ReadAsync());
    }

    [Fact]
    public async Task A_failing_effect_rolls_back_its_transition()
    {
        var database = await OpenDatabaseAsync();
        var rows = await SideRows.CreateAsync(database);
        var store = new SqlJobStore(database, [rows, new FailOn(JobTransitionKind.Completed), new FailOn(JobTransitionKind.Created, "bad")]);
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));

        await Assert.ThrowsAsync<EffectFailedException>(() => store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 10, T0, None));
        await Assert.ThrowsAsync<EffectFailedException>(
            () => store.CompleteManyAsync([new JobCompletion(job.Id, "node-1", JobSamples.Outputs(), 10)], T0, None));
        var bad = NewJob() with { CorrelationId = "bad" };
        await Assert.ThrowsAsync<EffectFailedException>(() => store.CreateManyAsync([NewJob(), bad], None));

        // The job is still running, held by node-1; the batch with the bad job left nothing behind.
        var current = await store.GetAsync(job.Id, None);
        Assert.Equal((JobStatus.Running, "node-1"), (current!.Status, current.LeaseOwner));
        Assert.Equal(1, (await store.ListAsync(new JobQuery(job.AccountId), None)).Total);
        Assert.Equal([(job.Id, "Created"), (job.Id, "Claimed")], await rows.ReadAsync());
    }

    // ---- deferred statements ---------------------------------------------------------------------------------

    [Fact]
    public async Task Deferred_statements_run_in_order_ahead_of_the_next_and_commit_with_the_write()
    {
        var database = await OpenDatabaseAsync();
        await CreateNumbersAsync(database);

        var (changed, seen) = await database.WriteAsync(
            async s =>
            {
                await s.ExecuteEachDeferredAsync("INSERT INTO numbers (n) VALUES (@n);", [1L, 2L], (c, n) => c.Bigint("@n", n), None);
                await s.ExecuteDeferredAsync("UPDATE numbers SET n = n * 10;", _ => { }, None);
                var changed = await s.ExecuteAsync("INSERT INTO numbers (n) VALUES (3);", _ => { }, None);
                var seen = await s.QueryAsync("SELECT n FROM numbers ORDER BY n;", _ => { }, r => r.GetInt64(0), None);
                await s.ExecuteDeferredAsync("INSERT INTO numbers (n) VALUES (4);", _ => { }, None); // goes with the commit
                return (changed, seen);
            },
            None);

        Assert.Equal(1, changed); // the statement's own rows, not the deferred ones sent with it
        Assert.Equal([3L, 10L, 20L], seen);
        Assert.Equal([3L, 4L, 10L, 20L], await NumbersAsync(database));
    }

    [Fact]
    public async Task A_failing_deferred_statement_fails_its_write_and_leaves_nothing()
    {
        var database = await OpenDatabaseAsync();
        await CreateNumbersAsync(database);
        await database.WriteAsync(s => s.ExecuteAsync("INSERT INTO numbers (n) VALUES (1);", _ => { }, None), None);

        // 1 is taken: the second insert fails, in a transaction and in a write of one batch alike.
        async Task<int> TwoInserts(SqlSession s)
        {
            await s.ExecuteDeferredAsync("INSERT INTO numbers (n) VALUES (2);", _ => { }, None);
            await s.ExecuteDeferredAsync("INSERT INTO numbers (n) VALUES (1);", _ => { }, None);
            return 0;
        }

        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => database.WriteAsync(TwoInserts, None));
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => database.WriteOneAsync(TwoInserts, None));
        Assert.Equal([1L], await NumbersAsync(database));
    }

    private static Task<int> CreateNumbersAsync(ISqlDatabase database) =>
        database.WriteAsync(
            async s =>
            {
                await s.ExecuteAsync("CREATE TABLE IF NOT EXISTS numbers (n BIGINT NOT NULL PRIMARY KEY);", _ => { }, None);
                return await s.ExecuteAsync("DELETE FROM numbers;", _ => { }, None);
            },
            None);

    private static Task<List<long>> NumbersAsync(ISqlDatabase database) =>
        database.ReadAsync(s => s.QueryAsync("SELECT n FROM numbers ORDER BY n;", _ => { }, r => r.GetInt64(0), None), None);

    // ---- idempotency keys ------------------------------------------------------------------------------------

    [Fact]
    public async Task A_live_idempotency_key_refuses_a_second_job_and_names_the_first()
    {
        var store = await IdempotentStoreAsync();
        var first = NewJob(key: "k-1", fingerprint: "f-1");
        await store.CreateAsync(first, None);

        var taken = await Assert.ThrowsAsync<IdempotencyKeyTakenException>(() => store.CreateAsync(NewJob(key: "k-1", fingerprint: "f-2"), None));
        Assert.Equal(new JobIdempotencyHolder(first.Id, "f-1"), taken.Holder);
        Assert.Equal(1, (await store.ListAsync(new JobQuery(first.AccountId), None)).Total);
        Assert.Equal(new JobIdempotencyHolder(first.Id, "f-1"), await store.FindIdempotencyKeyAsync(first.AccountId, "k-1", T0, None));
        AssertSame(first, await store.GetAsync(first.Id, None));
    }

    [Fact]
    public async Task Idempotency_keys_are_per_account_and_end_with_their_lifetime_or_their_job()
    {
        var store = await IdempotentStoreAsync();
        var mine = NewJob(key: "k", fingerprint: "f");
        await store.CreateAsync(mine, None);
        await store.CreateAsync(NewJob("acct-b", key: "k", fingerprint: "f"), None); // another account: its own key

        // Past the lifetime the key is free again, and a new job takes it over.
        var later = T0 + TimeSpan.FromHours(1);
        Assert.Null(await store.FindIdempotencyKeyAsync(mine.AccountId, "k", later, None));
        var next = NewJob(key: "k", fingerprint: "f", createdAt: later);
        await store.CreateAsync(next, None);
        Assert.Equal(next.Id, (await store.FindIdempotencyKeyAsync(mine.AccountId, "k", later, None))!.JobId);

        // Deleting the job frees its key.
        Assert.Contains(next.Id, (await store.ClaimAsync("node-1", 5, later, Lease, None)).Select(j => j.Id));
        Assert.True(await store.CompleteAsync(next.Id, "node-1", JobSamples.Outputs(), 1, later, None));
        Assert.True(await store.DeleteTerminalAsync(next.AccountId, next.Id, None));
        Assert.Null(await store.FindIdempotencyKeyAsync(mine.AccountId, "k", later, None));
    }

    [Fact]
    public async Task Concurrent_creates_under_one_key_make_one_job()
    {
        // Separate database instances (separate pools and writers), as separate nodes.
        var stores = new List<IJobStore>();
        for (var i = 0; i < 4; i++)
        {
            stores.Add(await IdempotentStoreAsync());
        }

        var attempts = Enumerable.Range(0, 16).Select(i => NewJob(key: "same", fingerprint: "f")).ToList();
        var results = await Task.WhenAll(attempts.Select(async (job, i) =>
        {
            try
            {
                await stores[i % stores.Count].CreateAsync(job, None);
                return job.Id;
            }
            catch (IdempotencyKeyTakenException taken)
            {
                return taken.Holder.JobId;
            }
        }));

        var winner = Assert.Single(results.Distinct());
        var page = await stores[0].ListAsync(new JobQuery("acct-a") { PageSize = 100 }, None);
        Assert.Equal(winner, Assert.Single(page.Items).Id);
    }

    [Fact]
    public async Task A_batch_with_a_taken_key_creates_nothing()
    {
        var store = await IdempotentStoreAsync();
        await store.CreateAsync(NewJob(key: "k", fingerprint: "f"), None);
        var fresh = NewJob();
        await Assert.ThrowsAsync<IdempotencyKeyTakenException>(() => store.CreateManyAsync([fresh, NewJob(key: "k", fingerprint: "f")], None));
        Assert.Null(await store.GetAsync(fresh.Id, None));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private async Task<(IJobStore Store, SideRows Rows)> StoreWithSideRowsAsync()
    {
        var database = await OpenDatabaseAsync();
        var rows = await SideRows.CreateAsync(database);
        return (new SqlJobStore(database, [rows]), rows);
    }

    private async Task<IJobStore> IdempotentStoreAsync() =>
        new SqlJobStore(await OpenDatabaseAsync(), [new IdempotencyKeys(TimeSpan.FromMinutes(30))]);

    private static Job NewJob(string accountId = "acct-a", string? key = null, string? fingerprint = null, DateTimeOffset? createdAt = null)
    {
        var created = createdAt ?? T0;
        return new Job
        {
            Id = JobIds.New(created),
            AccountId = accountId,
            Status = JobStatus.Queued,
            Request = new GenerationRequest { Model = "seedance-2.0-fast", Prompt = "a red fox in snow" },
            RequestedModel = "seedance-2.0-fast",
            Dialect = JobDialects.SeedanceV1,
            Idempotency = key is null ? null : new JobIdempotency(key, fingerprint!),
            CreatedAt = created,
            UpdatedAt = created,
            ExpiresAt = created + TimeSpan.FromHours(48),
            Engine = "sandbox",
        };
    }

    private static void AssertSame(Job expected, Job? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Request = actual.Request }, actual);
    }

    private static List<(string, string)> OrderBy(Job[] jobs, List<(string Id, string Kind)> rows) =>
        [.. jobs.SelectMany(j => rows.Where(r => r.Id == j.Id))];

    /// <summary>A test effect: one row per transition in a table of its own, in the order written.</summary>
    private sealed class SideRows(ISqlDatabase database) : IJobEffect
    {
        public static async Task<SideRows> CreateAsync(ISqlDatabase database)
        {
            await database.WriteAsync(
                async s =>
                {
                    await s.ExecuteAsync(
                        "CREATE TABLE IF NOT EXISTS side_rows (seq BIGINT NOT NULL, job_id TEXT NOT NULL, kind TEXT NOT NULL);", _ => { }, None);
                    return await s.ExecuteAsync("DELETE FROM side_rows;", _ => { }, None);
                },
                None);
            return new SideRows(database);
        }

        public Task ApplyAsync(JobTransition transition, SqlSession session, CancellationToken cancellationToken) =>
            session.ExecuteAsync(
                "INSERT INTO side_rows (seq, job_id, kind) VALUES ((SELECT COUNT(*) FROM side_rows), @job_id, @kind);",
                c =>
                {
                    c.Text("@job_id", transition.Job.Id);
                    c.Text("@kind", transition.Kind.ToString());
                },
                cancellationToken);

        public Task<List<(string Id, string Kind)>> ReadAsync() =>
            database.ReadAsync(
                s => s.QueryAsync("SELECT job_id, kind FROM side_rows ORDER BY seq;", _ => { }, r => (r.GetString(0), r.GetString(1)), None),
                None);
    }

    private sealed class FailOn(JobTransitionKind kind, string? correlationId = null) : IJobEffect
    {
        public Task ApplyAsync(JobTransition transition, SqlSession session, CancellationToken cancellationToken) =>
            transition.Kind == kind && (correlationId is null || transition.Job.CorrelationId == correlationId)
                ? throw new EffectFailedException()
                : Task.CompletedTask;
    }

    private sealed class EffectFailedException() : Exception("The effect failed.");
}
