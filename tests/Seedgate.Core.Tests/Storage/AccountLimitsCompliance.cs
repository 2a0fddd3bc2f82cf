using Seedgate.Core.Accounts;
using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Tests.Storage;

/// <summary>
/// A plan's limits on every SQL provider, exact under races: the capped claim never runs more of an account's jobs
/// than max_in_progress (and passes an account at its cap for the others); a create beyond the cap (reject), beyond
/// cap + max_queued (queue) or past the monthly budget is refused and stores nothing; the shared rate bucket never
/// gives more than its rate and burst. Several nodes are several store instances on one database.
/// </summary>
public abstract class AccountLimitsCompliance
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly CancellationToken None = CancellationToken.None;

    // seedance-2.0-fast, 720p, 5 s: $0.075.
    private const long Estimate = 75_000;

    private protected abstract Task<ISqlDatabase> OpenDatabaseAsync();

    [Fact]
    public async Task A_claim_starts_at_most_the_cap_of_an_account_and_passes_it_for_the_others()
    {
        var (store, plans, _) = await OpenAsync(new Plan { MaxInProgress = 3 });
        var busy = Enumerable.Range(0, 8).Select(i => NewJob("acct-a", T0.AddSeconds(i), priority: 5)).ToArray();
        var other = Enumerable.Range(0, 2).Select(i => NewJob("acct-b", T0.AddSeconds(10 + i))).ToArray();
        await store.CreateManyAsync([.. busy, .. other], None);

        // The pick (twice the slots) is full of acct-a's jobs: the claim looks past them for acct-b's.
        var first = await store.ClaimAsync("node-1", 2, T0.AddMinutes(1), Lease, plans, None);
        Assert.Equal([busy[0].Id, busy[1].Id], first.Select(j => j.Id));
        var second = await store.ClaimAsync("node-1", 10, T0.AddMinutes(1), Lease, plans, None);
        Assert.Equal([busy[2].Id, other[0].Id, other[1].Id], second.Select(j => j.Id));
        Assert.Empty(await store.ClaimAsync("node-1", 10, T0.AddMinutes(1), Lease, plans, None));

        // A slot frees: the next of acct-a's jobs starts.
        Assert.True(await store.CompleteAsync(busy[0].Id, "node-1", JobSamples.Outputs(), 60_000, T0.AddMinutes(2), None));
        Assert.Equal([busy[3].Id], (await store.ClaimAsync("node-1", 10, T0.AddMinutes(2), Lease, plans, None)).Select(j => j.Id));
    }

    [Fact]
    public async Task A_job_already_running_is_taken_back_whatever_the_cap()
    {
        var (store, plans, _) = await OpenAsync(new Plan { MaxInProgress = 1 });
        var job = NewJob("acct-a", T0);
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, plans, None));

        // node-1 died: its lease lapses and another node takes the job over, though the account is at its cap.
        var later = T0 + Lease + TimeSpan.FromSeconds(1);
        Assert.Equal([job.Id], (await store.ClaimAsync("node-2", 1, later, Lease, plans, None)).Select(j => j.Id));
    }

    [Fact]
    public async Task Claims_racing_on_four_nodes_never_run_more_than_the_cap()
    {
        const int Cap = 3;
        var (store, plans, _) = await OpenAsync(new Plan { MaxInProgress = Cap });
        await store.CreateManyAsync([.. Enumerable.Range(0, 24).Select(i => NewJob("acct-a", T0.AddMilliseconds(i)))], None);
        var nodes = new List<SqlJobStore>();
        for (var i = 0; i < 4; i++)
        {
            nodes.Add((await OpenAsync(new Plan { MaxInProgress = Cap })).Jobs);
        }

        for (var round = 0; round < 3; round++)
        {
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var racing = nodes.Select((node, i) => Task.Run(async () =>
            {
                await start.Task;
                return await node.ClaimAsync($"node-{i}", 5, T0.AddMinutes(1), Lease, plans, None);
            })).ToArray();
            start.SetResult();
            var claims = await Task.WhenAll(racing);
            Assert.Equal(round == 0 ? Cap : 0, claims.Sum(c => c.Count));
        }
    }

    [Fact]
    public async Task Under_reject_the_create_beyond_the_cap_is_refused_and_stores_nothing()
    {
        var (store, _, database) = await OpenAsync(new Plan { MaxInProgress = 3, Overflow = Overflow.Reject });
        for (var i = 0; i < 3; i++)
        {
            await store.CreateAsync(NewJob("acct-a", T0.AddSeconds(i)), None);
        }

        var fourth = NewJob("acct-a", T0.AddSeconds(3));
        var refused = await Assert.ThrowsAsync<SeedgateException>(() => store.CreateAsync(fourth, None));
        Assert.Equal(ErrorCodes.QuotaExceeded, refused.Error.Code);
        Assert.Null(await store.GetAsync(fourth.Id, None));
        Assert.Equal(0, await CountAsync(database, "SELECT COUNT(*) FROM ledger_entries WHERE job_id = @id;", fourth.Id));

        await store.CreateAsync(NewJob("acct-b", T0), None); // another account is not held up
        Assert.True(await store.CancelQueuedAsync("acct-a", (await AccountJobsAsync(store, "acct-a"))[0], T0.AddMinutes(1), None));
        await store.CreateAsync(fourth, None); // one ended: there is room again
    }

    [Fact]
    public async Task Under_queue_creates_are_accepted_up_to_the_cap_plus_max_queued()
    {
        var (store, _, _) = await OpenAsync(new Plan { MaxInProgress = 3, MaxQueued = 2 });
        await store.CreateManyAsync([.. Enumerable.Range(0, 5).Select(i => NewJob("acct-a", T0.AddSeconds(i)))], None);
        var sixth = await Assert.ThrowsAsync<SeedgateException>(() => store.CreateAsync(NewJob("acct-a", T0.AddSeconds(6)), None));
        Assert.Equal(ErrorCodes.QuotaExceeded, sixth.Error.Code);
        Assert.Contains("max_queued", sixth.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Fifty_racing_creates_against_a_budget_for_ten_accept_exactly_ten(int nodeCount)
    {
        var budget = new Plan { MonthlyBudgetUsd = 10 * Estimate / 1_000_000m, MaxInProgress = 100 };
        var (_, _, database) = await OpenAsync(budget);
        var nodes = new List<SqlJobStore>();
        for (var i = 0; i < nodeCount; i++)
        {
            nodes.Add((await OpenAsync(budget)).Jobs);
        }

        for (var i = 0; i < nodeCount; i++)
        {
            await nodes[i].CreateAsync(NewJob("acct-warm", T0.AddSeconds(-i)), None); // connections open before the race
        }

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racing = Enumerable.Range(0, 50).Select(i => Task.Run(async () =>
        {
            await start.Task;
            try
            {
                await nodes[i % nodeCount].CreateAsync(NewJob("acct-a", T0.AddMilliseconds(i)), None);
                return null;
            }
            catch (SeedgateException ex)
            {
                return ex.Error.Code;
            }
        })).ToArray();
        start.SetResult();
        var results = await Task.WhenAll(racing);

        Assert.Equal(10, results.Count(r => r is null));
        Assert.All(results.Where(r => r is not null), code => Assert.Equal(ErrorCodes.AccountOverdueError, code));
        Assert.Equal(10, await CountAsync(database, "SELECT COUNT(*) FROM jobs WHERE account_id = @id;", "acct-a"));
        Assert.Equal(10 * Estimate, await CountAsync(database, "SELECT SUM(amount_micros) FROM ledger_entries WHERE account_id = @id;", "acct-a"));
    }

    [Fact]
    public async Task The_budget_counts_the_months_charges_and_what_unfinished_jobs_hold()
    {
        var (store, _, _) = await OpenAsync(new Plan { MonthlyBudgetUsd = 3 * Estimate / 1_000_000m, FreeFastPerMonth = 0 });
        var done = NewJob("acct-a", T0);
        await store.CreateAsync(done, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.CompleteAsync(done.Id, "node-1", JobSamples.Outputs(), Estimate, T0.AddMinutes(1), None)); // charged
        await store.CreateAsync(NewJob("acct-a", T0.AddMinutes(2)), None); // holds its estimate

        await store.CreateAsync(NewJob("acct-a", T0.AddMinutes(3)), None); // charged + held + this = the budget
        var over = await Assert.ThrowsAsync<SeedgateException>(() => store.CreateAsync(NewJob("acct-a", T0.AddMinutes(4)), None));
        Assert.Equal(ErrorCodes.AccountOverdueError, over.Error.Code);

        // Next month the charges no longer count; the two open jobs still hold theirs.
        var nextMonth = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        await store.CreateAsync(NewJob("acct-a", nextMonth), None);
    }

    [Fact]
    public async Task The_open_jobs_row_follows_every_start_and_end_of_a_job()
    {
        var (store, _, database) = await OpenAsync(new Plan { MaxInProgress = 100 });
        var jobs = Enumerable.Range(0, 7).Select(i => NewJob("acct-a", T0.AddSeconds(i))).ToArray();
        await store.CreateManyAsync(jobs[..5], None);
        await store.CreateAsync(jobs[5], None);
        await store.CreateAsync(jobs[6] with { ExpiresAt = T0.AddMinutes(30) }, None);
        Assert.Equal((7L, 7 * Estimate), await OpenRowAsync(database));

        var running = await store.ClaimAsync("node-1", 3, T0.AddMinutes(1), Lease, None);
        Assert.True(await store.CompleteAsync(running[0].Id, "node-1", JobSamples.Outputs(), 60_000, T0.AddMinutes(2), None));
        Assert.True(await store.FailAsync(running[1].Id, "node-1", JobStatus.Failed, new JobError("X", "boom"), T0.AddMinutes(2), None));
        Assert.True(await store.CancelQueuedAsync("acct-a", jobs[3].Id, T0.AddMinutes(2), None));
        Assert.Single(await store.ExpireDueAsync(T0.AddMinutes(31), None));
        Assert.Equal((3L, 3 * Estimate), await OpenRowAsync(database)); // running[2], jobs[4], jobs[5]

        // A refused transition (the lease is gone) changes nothing.
        Assert.False(await store.CompleteAsync(running[0].Id, "node-1", JobSamples.Outputs(), 60_000, T0.AddMinutes(3), None));
        Assert.Equal((3L, 3 * Estimate), await OpenRowAsync(database));
    }

    [Fact]
    public async Task The_shared_rate_bucket_gives_its_burst_then_its_rate_to_every_node_together()
    {
        var nodes = new List<SqlAccountStore>();
        for (var i = 0; i < 3; i++)
        {
            nodes.Add(new SqlAccountStore(await OpenDatabaseAsync()));
        }

        // 2 a second, bursts of 2: a full bucket gives 2, then nothing until half a second has passed.
        var burst = await Task.WhenAll(nodes.Select(n => n.LeaseRateTokensAsync("acct-a", "create", 2, 2, 1, T0, None)));
        Assert.Equal(2, burst.Sum(l => l.Granted));
        Assert.Equal(0, (await nodes[0].LeaseRateTokensAsync("acct-a", "create", 2, 2, 1, T0.AddMilliseconds(499), None)).Granted);
        Assert.Equal(1, (await nodes[1].LeaseRateTokensAsync("acct-a", "create", 2, 2, 5, T0.AddMilliseconds(500), None)).Granted);

        // Over ten seconds of requests from all nodes, the bucket gives at most its burst plus 2 a second.
        var granted = 0;
        for (var ms = 600; ms <= 10_500; ms += 50)
        {
            granted += (await nodes[ms / 50 % 3].LeaseRateTokensAsync("acct-a", "create", 2, 2, 3, T0.AddMilliseconds(ms), None)).Granted;
        }

        Assert.Equal(20, granted); // 10 s × 2/s (the bucket was empty at 500 ms)
        Assert.Equal(2, (await nodes[2].LeaseRateTokensAsync("acct-b", "create", 2, 2, 5, T0, None)).Granted); // buckets are per account
    }

    private async Task<(SqlJobStore Jobs, Plans Plans, ISqlDatabase Database)> OpenAsync(Plan plan)
    {
        var database = await OpenDatabaseAsync();
        var plans = new Plans(new Dictionary<string, Plan> { [Plans.DefaultName] = plan });
        var ledger = new Ledger(ModelCatalog.LoadDefault(), plans);
        return (new SqlJobStore(database, [new AccountAdmission(plans, ledger), ledger]), plans, database);
    }

    private static async Task<(long Jobs, long HeldMicros)> OpenRowAsync(ISqlDatabase database) =>
        (await database.ReadAsync(
            session => session.QueryAsync(
                "SELECT jobs, held_micros FROM account_open WHERE account_id = 'acct-a';", _ => { }, r => (r.GetInt64(0), r.GetInt64(1)), None),
            None))[0];

    private static async Task<List<string>> AccountJobsAsync(SqlJobStore store, string accountId) =>
        [.. (await store.ListAsync(new JobQuery(accountId) { PageSize = 100 }, None)).Items.Select(j => j.Id).Reverse()];

    private static async Task<long> CountAsync(ISqlDatabase database, string sql, string id) =>
        (await database.ReadAsync(session => session.QueryAsync(sql, c => c.Text("@id", id), r => r.IsDBNull(0) ? 0 : r.GetInt64(0), None), None))[0];

    private static Job NewJob(string accountId, DateTimeOffset createdAt, int priority = 0) => JobSamples.QueuedJob(accountId, createdAt, priority);
}
