using System.Text;
using System.Text.Json.Nodes;
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
public abstract partial class LedgerCompliance
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
        Assert.Equal(new LedgerBalance(0, Estimate), await MoneyAsync(accounts.GetBalanceAsync(job.AccountId, T0.AddDays(-1), None)));

        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        Assert.True(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), 60_000, T0.AddMinutes(1), None));

        Assert.Equal(new LedgerBalance(60_000, 0), await MoneyAsync(accounts.GetBalanceAsync(job.AccountId, T0.AddDays(-1), None)));
        Assert.Equal([("reserve", Estimate), ("charge", 60_000L), ("release", -Estimate)], await EntriesAsync(database, job.Id));
        Assert.Equal(new LedgerBalance(0, 0), await MoneyAsync(accounts.GetBalanceAsync(job.AccountId, T0.AddMinutes(2), None))); // charged before "since"
    }

    [Fact]
    public async Task Failed_expired_and_cancelled_jobs_are_released_in_full_and_never_charged()
    {
        var (store, accounts, database) = await OpenAsync();
        var failed = NewJob();
        var expired = NewJob() with { ExpiresAt = T0.AddMinutes(1) };
        var cancelled = NewJob();
        await store.CreateManyAsync([failed, expired, cancelled], None);
        Assert.Equal(new LedgerBalance(0, 3 * Estimate), await MoneyAsync(accounts.GetBalanceAsync("acct-a", T0.AddDays(-1), None)));

        Assert.True(await store.CancelQueuedAsync(cancelled.AccountId, cancelled.Id, T0, None));
        Assert.Equal([expired.Id], await store.ExpireDueAsync(T0.AddMinutes(2), None));
        Assert.Single(await store.ClaimAsync("node-1", 1, T0.AddMinutes(2), Lease, None));
        Assert.True(await store.FailAsync(failed.Id, "node-1", JobStatus.Failed, new JobError("InvalidParameter", "no"), T0.AddMinutes(3), None));

        Assert.Equal(new LedgerBalance(0, 0), await MoneyAsync(accounts.GetBalanceAsync("acct-a", T0.AddDays(-1), None)));
        foreach (var job in new[] { failed, expired, cancelled })
        {
            Assert.Equal([("reserve", Estimate), ("release", -Estimate)], await EntriesAsync(database, job.Id));
        }
    }

    [Fact]
    public async Task A_failure_at_the_content_policy_check_is_charged_the_catalogs_fraction_of_its_estimate_and_others_nothing()
    {
        var catalog = JsonNode.Parse(ModelCatalogJson())!;
        catalog["policy_failure_fraction"] = 0.1;
        using var json = new MemoryStream(Encoding.UTF8.GetBytes(catalog.ToJsonString()));
        var database = await OpenDatabaseAsync();
        var store = new SqlJobStore(database, [new Ledger(ModelCatalog.Load(json), new Plans())]);
        var (refused, broken) = (NewJob(), NewJob());
        await store.CreateManyAsync([refused, broken], None);
        Assert.Equal(2, (await store.ClaimAsync("node-1", 2, T0, Lease, None)).Count);

        var policy = new JobError(ErrorCodes.OutputVideoSensitiveContentDetected, "The output was refused by the content policy.");
        Assert.True(await store.FailAsync(refused.Id, "node-1", JobStatus.Failed, policy, T0.AddMinutes(1), None));
        Assert.True(await store.FailAsync(broken.Id, "node-1", JobStatus.Failed, new JobError(ErrorCodes.InternalServiceError, "boom"), T0.AddMinutes(1), None));

        Assert.Equal([("reserve", Estimate), ("charge", Estimate / 10), ("release", -Estimate)], await EntriesAsync(database, refused.Id));
        Assert.Equal([("reserve", Estimate), ("release", -Estimate)], await EntriesAsync(database, broken.Id));
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
        Assert.Equal(new LedgerBalance(60_000, 0), await MoneyAsync(accounts.GetBalanceAsync(job.AccountId, T0.AddDays(-1), None)));
    }

    [Fact]
    public async Task A_long_take_is_charged_each_segment_as_it_finishes_from_its_hold_and_settles_the_rest_at_its_end()
    {
        // 30 s of Fast 720p: 450,000 µ$ held; two 15 s segments of 225,000 µ$ each.
        var (store, accounts, database) = await OpenAsync();
        var take = LongTake();
        await store.CreateAsync(take, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0, Lease, None));
        var first = new JobSegment(0, JobSamples.Outputs() with { DurationSeconds = 15 }, 225_000, T0.AddSeconds(20));
        var second = new JobSegment(1, JobSamples.Outputs() with { DurationSeconds = 15 }, 225_000, T0.AddSeconds(40));

        Assert.True(await store.FinishSegmentAsync(take.Id, "node-1", [first], T0.AddSeconds(20), None));
        Assert.Equal(new LedgerBalance(225_000, 225_000), await MoneyAsync(accounts.GetBalanceAsync("acct-a", T0.AddDays(-1), None)));
        var running = await store.GetAsync(take.Id, None);
        Assert.Equal((225_000L, (long?)null), (running!.ChargedMicros, running.FinalCostMicros)); // charged so far, not final
        Assert.True(await store.FinishSegmentAsync(take.Id, "node-1", [first, second], T0.AddSeconds(40), None));
        Assert.Equal(new LedgerBalance(450_000, 0), await MoneyAsync(accounts.GetBalanceAsync("acct-a", T0.AddDays(-1), None)));

        Assert.True(await store.CompleteAsync(take.Id, "node-1", JobSamples.Outputs() with { DurationSeconds = 30 }, 450_000, T0.AddSeconds(45), None));
        Assert.Equal(new LedgerBalance(450_000, 0), await MoneyAsync(accounts.GetBalanceAsync("acct-a", T0.AddDays(-1), None)));
        Assert.Equal(
            [("reserve", 450_000), ("segment", 225_000), ("segment", 225_000), ("charge", 0), ("release", 0)],
            await EntriesAsync(database, take.Id));
        var done = await store.GetAsync(take.Id, None);
        Assert.Equal((450_000L, (long?)450_000), (done!.ChargedMicros, done.FinalCostMicros));
        Assert.True(await store.DeleteTerminalAsync("acct-a", take.Id, None));
        Assert.Equal(new LedgerBalance(450_000, 0), await MoneyAsync(accounts.GetBalanceAsync("acct-a", T0.AddDays(-1), None)));
    }

    [Fact]
    public async Task A_long_take_that_ends_without_delivering_its_segments_is_refunded_them()
    {
        var (store, accounts, database) = await OpenAsync();
        var (delivered, lost) = (LongTake(), LongTake());
        await store.CreateManyAsync([delivered, lost], None);
        Assert.Equal(2, (await store.ClaimAsync("node-1", 2, T0, Lease, None)).Count);
        var first = new JobSegment(0, JobSamples.Outputs() with { DurationSeconds = 15 }, 225_000, T0.AddSeconds(20));
        Assert.True(await store.FinishSegmentAsync(delivered.Id, "node-1", [first], T0.AddSeconds(20), None));
        Assert.True(await store.FinishSegmentAsync(lost.Id, "node-1", [first], T0.AddSeconds(20), None));
        Assert.Equal(new LedgerBalance(450_000, 450_000), await MoneyAsync(accounts.GetBalanceAsync("acct-a", T0.AddDays(-1), None)));

        // One keeps its finished part (joined, downloadable) and pays for it; the other's part could not be delivered.
        var boom = new JobError(ErrorCodes.InternalServiceError, "segment 2 failed for good");
        Assert.True(await store.FailAsync(
            delivered.Id, "node-1", JobStatus.Failed, boom, T0.AddMinutes(1), None, new JobDelivery(JobSamples.Outputs() with { DurationSeconds = 15 }, 225_000)));
        Assert.True(await store.FailAsync(lost.Id, "node-1", JobStatus.Failed, boom, T0.AddMinutes(1), None));

        Assert.Equal(new LedgerBalance(225_000, 0), await MoneyAsync(accounts.GetBalanceAsync("acct-a", T0.AddDays(-1), None)));
        Assert.Equal([("reserve", 450_000), ("segment", 225_000), ("charge", 0), ("release", -225_000)], await EntriesAsync(database, delivered.Id));
        Assert.Equal([("reserve", 450_000), ("segment", 225_000), ("charge", -225_000), ("release", -225_000)], await EntriesAsync(database, lost.Id));
        Assert.Equal(0, (await store.GetAsync(lost.Id, None))!.FinalCostMicros);
    }

    [Fact]
    public async Task Reads_of_a_job_bring_its_reserve_and_charge_from_the_ledger()
    {
        var (store, _, _) = await OpenAsync(freeFastPerMonth: 1);
        var free = NewJob();
        var paid = NewJob();
        var open = NewJob();
        await SucceedAsync(store, [free], T0);
        await SucceedAsync(store, [paid], T0.AddMinutes(1));
        await store.CreateAsync(open, None);

        var expected = new Dictionary<string, (long?, long?, long?, bool)>
        {
            [free.Id] = (Estimate, 0, 0, true),
            [paid.Id] = (Estimate, 60_000, 60_000, false),
            [open.Id] = (Estimate, null, null, false),
        };
        foreach (var (id, money) in expected)
        {
            Assert.Equal(money, Money(await store.GetAsync(id, None)));
            Assert.Equal(money, Money(await store.GetForAccountAsync("acct-a", id, None)));
        }

        var page = await store.ListAsync(new JobQuery("acct-a"), None);
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), page.Items.Select(j => KeyValuePair.Create(j.Id, Money(j))).OrderBy(e => e.Key, StringComparer.Ordinal));

        static (long?, long?, long?, bool) Money(Job? job) => (job!.ReservedMicros, job.ChargedMicros, job.FinalCostMicros, job.CoveredByFreeQuota);
    }

    [Fact]
    public async Task Accounts_see_only_their_own_money()
    {
        var (store, accounts, _) = await OpenAsync();
        await store.CreateManyAsync([NewJob("acct-a"), NewJob("acct-a"), NewJob("acct-b")], None);
        Assert.Equal(new LedgerBalance(0, 2 * Estimate), await MoneyAsync(accounts.GetBalanceAsync("acct-a", T0, None)));
        Assert.Equal(new LedgerBalance(0, Estimate), await MoneyAsync(accounts.GetBalanceAsync("acct-b", T0, None)));
        Assert.Equal(new LedgerBalance(0, 0), await MoneyAsync(accounts.GetBalanceAsync("acct-c", T0, None)));
    }

    // The quota off unless a test is about it: the charges above are the full price.
    private async Task<(SqlJobStore Jobs, SqlAccountStore Accounts, ISqlDatabase Database)> OpenAsync(int freeFastPerMonth = 0)
    {
        var database = await OpenDatabaseAsync();
        var plans = new Plans(new Dictionary<string, Plan> { [Plans.DefaultName] = new() { FreeFastPerMonth = freeFastPerMonth } });
        return (new SqlJobStore(database, [new Ledger(ModelCatalog.LoadDefault(), plans)]), new SqlAccountStore(database), database);
    }

    private static string ModelCatalogJson()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("Seedgate.Core.Catalog.catalog.json")!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>What the assertions compare: charges in the period, holds, free quota (credits have their own test).</summary>
    private static async Task<LedgerBalance> MoneyAsync(Task<LedgerBalance> balance) =>
        await balance with { CreditMicros = 0, ChargedAllTimeMicros = 0 };

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
        Assert.Equal(new LedgerBalance(0, 0, 2), await MoneyAsync(accounts.GetBalanceAsync("acct-a", Month(T0), None)));
        await SucceedAsync(store, [NewJob(), NewJob()], T0.AddMinutes(1)); // the 3rd is free, the 4th is billed
        Assert.Equal(new LedgerBalance(60_000, 0, 3), await MoneyAsync(accounts.GetBalanceAsync("acct-a", Month(T0), None)));

        // A standard-tier success is always billed and uses no quota; a new month starts again.
        await SucceedAsync(store, [NewJob(model: "seedance-2.0")], T0.AddMinutes(2));
        Assert.Equal(new LedgerBalance(120_000, 0, 3), await MoneyAsync(accounts.GetBalanceAsync("acct-a", Month(T0), None)));
        var nextMonth = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);
        await SucceedAsync(store, [NewJob(createdAt: nextMonth)], nextMonth);
        Assert.Equal(new LedgerBalance(0, 0, 1), await MoneyAsync(accounts.GetBalanceAsync("acct-a", nextMonth, None)));
        Assert.Equal(new LedgerBalance(0, 0, 0), await MoneyAsync(accounts.GetBalanceAsync("acct-b", nextMonth, None)));
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

        var balance = await MoneyAsync(accounts!.GetBalanceAsync("acct-a", Month(T0), None));
        Assert.Equal(new LedgerBalance(((Nodes * JobsPerNode) - Quota) * 60_000L, 0, Quota), balance);
    }

    [Fact]
    public async Task A_randomized_run_of_a_thousand_jobs_balances_to_the_micro_dollar()
    {
        // Mixed outcomes: successes, permanent failures, retries (then either), crashes (the lease lapses, another node
        // takes the job, the crashed node's late completion is refused), expiry while queued or running, cancellation.
        const int Jobs = 1000, Quota = 20;
        var (store, accounts, database) = await OpenAsync(freeFastPerMonth: Quota);
        var random = new Random(20261202);
        var jobs = Enumerable.Range(0, Jobs).Select(i => NewJob(model: i % 3 == 0 ? "seedance-2.0" : "seedance-2.0-fast") with
        {
            ExpiresAt = random.Next(10) == 0 ? T0.AddMinutes(1) : T0.AddHours(6),
        }).ToArray();
        foreach (var batch in jobs.Chunk(50))
        {
            await store.CreateManyAsync(batch, None);
        }

        foreach (var job in jobs.Where(_ => random.Next(10) == 0))
        {
            await store.CancelQueuedAsync(job.AccountId, job.Id, T0, None);
        }

        var costs = new Dictionary<string, long>(StringComparer.Ordinal);
        var crashed = new List<(string Id, string Owner)>();
        var staleRefused = 0;
        var now = T0;
        for (var round = 0; round < 300 && (await CountOpenAsync(store)) > 0; round++)
        {
            now = now.AddMinutes(3); // leases (5 min) of crashed workers lapse within two rounds
            await store.ExpireDueAsync(now, None);
            var owner = $"node-{round % 3}";
            foreach (var job in await store.ClaimAsync(owner, 100, now, Lease, None))
            {
                var roll = job.Attempts >= 3 ? random.Next(2) : random.Next(10);
                if (roll <= 4)
                {
                    var cost = random.Next(10_000, 100_000);
                    if (await store.CompleteAsync(job.Id, owner, JobSamples.Outputs(), cost, now, None))
                    {
                        costs[job.Id] = cost;
                    }
                }
                else if (roll == 5)
                {
                    await store.FailAsync(job.Id, owner, JobStatus.Failed, new JobError("InvalidParameter", "no"), now, None);
                }
                else if (roll == 6)
                {
                    await store.FailAsync(job.Id, owner, JobStatus.Expired, new JobError("ExecutionExpired", "late"), now, None);
                }
                else if (roll <= 8)
                {
                    await store.ScheduleRetryAsync(job.Id, owner, new JobError("Timeout", "slow"), now.AddSeconds(30), now, None);
                }
                else
                {
                    crashed.Add((job.Id, owner)); // no word from the worker: its lease lapses
                }
            }

            // Some crashed workers come back late and try to complete what another node now holds (or finished).
            foreach (var (id, staleOwner) in crashed.Where(_ => random.Next(2) == 0).ToArray())
            {
                var job = await store.GetAsync(id, None);
                if (job!.LeaseOwner != staleOwner)
                {
                    Assert.False(await store.CompleteAsync(id, staleOwner, JobSamples.Outputs(), 1, now, None));
                    crashed.Remove((id, staleOwner));
                    staleRefused++;
                }
            }
        }

        Assert.Equal(0, await CountOpenAsync(store));
        var ends = new HashSet<JobStatus>();
        foreach (var job in jobs)
        {
            ends.Add((await store.GetAsync(job.Id, None))!.Status);
        }

        Assert.Subset(ends, new HashSet<JobStatus> { JobStatus.Succeeded, JobStatus.Failed, JobStatus.Expired, JobStatus.Cancelled }); // every end met
        Assert.True(staleRefused > 0);
        var charges = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            var entries = await EntriesAsync(database, job.Id);
            var stored = (await store.GetAsync(job.Id, None))!;
            Assert.Equal("reserve", entries[0].Kind);
            Assert.Equal(-entries[0].Amount, Assert.Single(entries, e => e.Kind == "release").Amount); // no open reservation
            var charge = entries.Where(e => e.Kind == "charge").ToArray();
            Assert.Equal(stored.Status == JobStatus.Succeeded ? 1 : 0, charge.Length);
            if (charge.Length == 1)
            {
                charges[job.Id] = charge[0].Amount;
            }
        }

        // Every success is charged its cost, except exactly the quota's worth of Fast-tier ones, which are free.
        Assert.Equal(costs.Keys.Order(StringComparer.Ordinal), charges.Keys.Order(StringComparer.Ordinal));
        var free = charges.Where(c => c.Value == 0).Select(c => c.Key).ToArray();
        Assert.Equal(Math.Min(Quota, costs.Keys.Count(id => jobs.Single(j => j.Id == id).Request.Model == "seedance-2.0-fast")), free.Length);
        Assert.All(free, id => Assert.Equal("seedance-2.0-fast", jobs.Single(j => j.Id == id).Request.Model));
        Assert.All(charges.Where(c => c.Value != 0), c => Assert.Equal(costs[c.Key], c.Value));
        var expected = costs.Where(c => !free.Contains(c.Key)).Sum(c => c.Value);
        Assert.Equal(new LedgerBalance(expected, 0, Quota), await MoneyAsync(accounts.GetBalanceAsync("acct-a", Month(T0), None)));
    }

    private static async Task<long> CountOpenAsync(SqlJobStore store) =>
        (await store.ListAsync(new JobQuery("acct-a") { Statuses = [JobStatus.Queued, JobStatus.Running], PageSize = 1 }, None)).Total;

    private static DateTimeOffset Month(DateTimeOffset at) => new(at.Year, at.Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A 30 s long take on seedance-2.0-fast at 720p: 450,000 µ$.</summary>
    private static Job LongTake() => NewJob() with { Request = NewJob().Request with { Duration = 30, LongTake = true } };

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
