using Seedgate.Core.Accounts;
using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Tests.Storage;

/// <summary>
/// The ledger on every SQL provider: a create reserves the estimate, a success charges its cost and releases the
/// reserve, every other end releases it, each exactly once, in the transition's transaction. A provider's test class
/// supplies fresh, empty databases.
/// </summary>
public abstract class LedgerCompliance
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 4, 5, 6, 7, 89, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);
    private static readonly CancellationToken None = CancellationToken.None;

    // seedance-2.0-fast at 720p: $0.015 a second, so a 5 s clip holds 75,000 µ$.
    private const long Estimate = 75_000;

    private protected abstract Task<ISqlDatabase> OpenDatabaseAsync();

    [Fact]
    public async Task A_create_reserves_the_estimate_and_a_success_charges_its_cost_and_releases_the_rest()
    {
        var (store, accounts, database) = await OpenAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Equal(new LedgerBalance(0, Estimate), await accounts.GetBalanceAsync(job.AccountId, T0.AddDays(-1), None));

        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 60_000, T0.AddMinutes(1), None));

        Assert.Equal(new LedgerBalance(60_000, 0), await accounts.GetBalanceAsync(job.AccountId, T0.AddDays(-1), None));
        Assert.Equal([("reserve", Estimate), ("charge", 60_000L), ("release", -Estimate)], await EntriesAsync(database, job.Id));
        Assert.Equal(new LedgerBalance(0, 0), await accounts.GetBalanceAsync(job.AccountId, T0.AddMinutes(2), None)); // charged before "since"
    }

    [Fact]
    public async Task Failed_expired_and_cancelled_jobs_are_released_in_full_and_never_charged()
    {
        var (store, accounts, database) = await OpenAsync();
        var failed = NewJob();
        var expired = NewJob() with { ExpiresAt = T0.AddMinutes(1) };
        var cancelled = NewJob();
        await store.CreateManyAsync([failed, expired, cancelled], None);
        Assert.Equal(new LedgerBalance(0, 3 * Estimate), await accounts.GetBalanceAsync("acct-a", T0.AddDays(-1), None));

        Assert.True(await store.CancelQueuedAsync(cancelled.AccountId, cancelled.Id, T0, None));
        Assert.Equal([expired.Id], await store.ExpireDueAsync(T0.AddMinutes(2), None));
        Assert.Single(await store.ClaimAsync("node-1", 1, T0.AddMinutes(2), Lease, None));
        Assert.True(await store.FailAsync(failed.Id, "node-1", JobStatus.Failed, new JobError("InvalidParameter", "no"), T0.AddMinutes(3), None));

        Assert.Equal(new LedgerBalance(0, 0), await accounts.GetBalanceAsync("acct-a", T0.AddDays(-1), None));
        foreach (var job in new[] { failed, expired, cancelled })
        {
            Assert.Equal([("reserve", Estimate), ("release", -Estimate)], await EntriesAsync(database, job.Id));
        }
    }

    [Fact]
    public async Task Every_entry_is_written_once_whatever_is_replayed()
    {
        var (store, accounts, database) = await OpenAsync();
        var job = NewJob();
        await store.CreateAsync(job, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 60_000, T0.AddMinutes(1), None));

        // A completion replayed (a retried batch, a worker that lost its lease) is refused and writes nothing;
        // deleting the finished job releases nothing twice; the ledger outlives the job's record.
        Assert.False(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 60_000, T0.AddMinutes(2), None));
        Assert.Empty(await store.CompleteManyAsync([new JobCompletion(job.Id, "node-1", JobSamples.Outputs(), 60_000)], T0.AddMinutes(2), None));
        Assert.True(await store.DeleteTerminalAsync(job.AccountId, job.Id, None));
        Assert.Equal([("reserve", Estimate), ("charge", 60_000L), ("release", -Estimate)], await EntriesAsync(database, job.Id));
        Assert.Equal(new LedgerBalance(60_000, 0), await accounts.GetBalanceAsync(job.AccountId, T0.AddDays(-1), None));
    }

    [Fact]
    public async Task Accounts_see_only_their_own_money()
    {
        var (store, accounts, _) = await OpenAsync();
        await store.CreateManyAsync([NewJob("acct-a"), NewJob("acct-a"), NewJob("acct-b")], None);
        Assert.Equal(new LedgerBalance(0, 2 * Estimate), await accounts.GetBalanceAsync("acct-a", T0, None));
        Assert.Equal(new LedgerBalance(0, Estimate), await accounts.GetBalanceAsync("acct-b", T0, None));
        Assert.Equal(new LedgerBalance(0, 0), await accounts.GetBalanceAsync("acct-c", T0, None));
    }

    // The quota off unless a test is about it: the charges above are the full price.
    private async Task<(SqlJobStore Jobs, SqlAccountStore Accounts, ISqlDatabase Database)> OpenAsync(int freeFastPerMonth = 0)
    {
        var database = await OpenDatabaseAsync();
        return (new SqlJobStore(database, [new Ledger(ModelCatalog.LoadDefault(), freeFastPerMonth)]), new SqlAccountStore(database), database);
    }

    /// <summary>Creates, claims and completes the jobs (each costing 60,000 µ$) at <paramref name="at"/>.</summary>
    private static async Task SucceedAsync(SqlJobStore store, IReadOnlyList<Job> jobs, DateTimeOffset at)
    {
        await store.CreateManyAsync(jobs, None);
        Assert.Equal(jobs.Count, (await store.ClaimAsync("node-1", jobs.Count, at, Lease, None)).Count);
        Assert.Equal(
            jobs.Count,
            (await store.CompleteManyAsync([.. jobs.Select(j => new JobCompletion(j.Id, "node-1", JobSamples.Outputs(), 60_000))], at, None)).Count);
    }

    private static async Task<List<(string Kind, long Amount)>> EntriesAsync(ISqlDatabase database, string jobId) =>
        await database.ReadAsync(
            session => session.QueryAsync(
                "SELECT kind, amount_micros FROM ledger_entries WHERE job_id = @job_id ORDER BY id;",
                c => c.Text("@job_id", jobId),
                r => (r.GetString(0), r.GetInt64(1)),
                None),
            None);

    [Fact]
    public async Task The_free_quota_covers_the_first_successes_of_the_month_and_failures_do_not_use_it()
    {
        var (store, accounts, _) = await OpenAsync(freeFastPerMonth: 3);
        var failed = NewJob();
        await store.CreateAsync(failed, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.FailAsync(failed.Id, "node-1", JobStatus.Failed, new JobError("X", "y"), T0, None));

        await SucceedAsync(store, [NewJob(), NewJob()], T0);
        Assert.Equal(new LedgerBalance(0, 0, 2), await accounts.GetBalanceAsync("acct-a", Month(T0), None));
        await SucceedAsync(store, [NewJob(), NewJob()], T0.AddMinutes(1)); // the 3rd is free, the 4th is billed
        Assert.Equal(new LedgerBalance(60_000, 0, 3), await accounts.GetBalanceAsync("acct-a", Month(T0), None));

        // A standard-tier success is always billed and uses no quota; a new month starts again.
        await SucceedAsync(store, [NewJob(model: "seedance-2.0")], T0.AddMinutes(2));
        Assert.Equal(new LedgerBalance(120_000, 0, 3), await accounts.GetBalanceAsync("acct-a", Month(T0), None));
        var nextMonth = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        await SucceedAsync(store, [NewJob(createdAt: nextMonth)], nextMonth);
        Assert.Equal(new LedgerBalance(0, 0, 1), await accounts.GetBalanceAsync("acct-a", nextMonth, None));
        Assert.Equal(new LedgerBalance(0, 0, 0), await accounts.GetBalanceAsync("acct-b", nextMonth, None));
    }

    [Fact]
    public async Task Settlements_racing_on_several_nodes_give_away_exactly_the_quota()
    {
        // Four nodes (four connection pools on one database), each completing five Fast successes at once.
        const int Nodes = 4, JobsPerNode = 5, Quota = 7;
        var nodes = new List<SqlJobStore>();
        SqlAccountStore? accounts = null;
        for (var i = 0; i < Nodes; i++)
        {
            var (store, nodeAccounts, _) = await OpenAsync(freeFastPerMonth: Quota);
            nodes.Add(store);
            accounts ??= nodeAccounts;
        }

        var jobs = Enumerable.Range(0, Nodes * JobsPerNode).Select(_ => NewJob()).ToArray();
        await nodes[0].CreateManyAsync(jobs, None);
        var claimed = new List<(SqlJobStore Store, string Owner, List<Job> Jobs)>();
        for (var i = 0; i < Nodes; i++)
        {
            claimed.Add((nodes[i], $"node-{i}", [.. await nodes[i].ClaimAsync($"node-{i}", JobsPerNode, T0, Lease, None)]));
        }

        await Task.WhenAll(claimed.SelectMany(c => c.Jobs.Select(j => Task.Run(() =>
            c.Store.CompleteAsync(j.Id, c.Owner, JobSamples.Outputs(), 60_000, T0.AddMinutes(1), None)))));

        var balance = await accounts!.GetBalanceAsync("acct-a", Month(T0), None);
        Assert.Equal(new LedgerBalance(((Nodes * JobsPerNode) - Quota) * 60_000L, 0, Quota), balance);
    }

    private static DateTimeOffset Month(DateTimeOffset at) => new(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero);

    private static Job NewJob(string accountId = "acct-a", string model = "seedance-2.0-fast", DateTimeOffset? createdAt = null) => new()
    {
        Id = JobIds.New(createdAt ?? T0),
        AccountId = accountId,
        Status = JobStatus.Queued,
        Request = new GenerationRequest { Model = model, Prompt = "a fox", Resolution = "720p", Duration = 5, FramesPerSecond = 24 },
        RequestedModel = model,
        Dialect = JobDialects.Ark,
        CreatedAt = createdAt ?? T0,
        UpdatedAt = createdAt ?? T0,
        ExpiresAt = (createdAt ?? T0).AddHours(1),
        Engine = "sandbox",
    };
}
