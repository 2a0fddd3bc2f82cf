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

    private async Task<(SqlJobStore Jobs, SqlAccountStore Accounts, ISqlDatabase Database)> OpenAsync()
    {
        var database = await OpenDatabaseAsync();
        return (new SqlJobStore(database, [new Ledger(ModelCatalog.LoadDefault())]), new SqlAccountStore(database), database);
    }

    private static async Task<List<(string Kind, long Amount)>> EntriesAsync(ISqlDatabase database, string jobId) =>
        await database.ReadAsync(
            session => session.QueryAsync(
                "SELECT kind, amount_micros FROM ledger_entries WHERE job_id = @job_id ORDER BY id;",
                c => c.Text("@job_id", jobId),
                r => (r.GetString(0), r.GetInt64(1)),
                None),
            None);

    private static Job NewJob(string accountId = "acct-a") => new()
    {
        Id = JobIds.New(T0),
        AccountId = accountId,
        Status = JobStatus.Queued,
        Request = new GenerationRequest { Model = "seedance-2.0-fast", Prompt = "a fox", Resolution = "720p", Duration = 5, FramesPerSecond = 24 },
        RequestedModel = "seedance-2.0-fast",
        Dialect = JobDialects.Ark,
        CreatedAt = T0,
        UpdatedAt = T0,
        ExpiresAt = T0.AddHours(1),
        Engine = "sandbox",
    };
}
