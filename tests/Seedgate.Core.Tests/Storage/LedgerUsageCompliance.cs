using Seedgate.Core.Accounts;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Tests.Storage;

/// <summary>Usage reports from the ledger, on every SQL provider (the ledger suite's own jobs and stores).</summary>
public abstract partial class LedgerCompliance
{
    private static readonly DateTimeOffset March = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset April = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    // JobSamples.Outputs() is 5.041666… s long: 5,042 ms a success.
    private const long OutputMs = 5_042;

    [Fact]
    public async Task Usage_counts_every_outcome_groups_by_model_day_and_week_and_takes_nearest_rank_percentiles_of_paid_successes()
    {
        var (store, accounts) = await UsageHistoryAsync();

        var byModel = await accounts.GetUsageAsync("acct-a", March, April, UsageGrouping.Model, None);
        Assert.Equal((March, April, UsageGrouping.Model), (byModel.From, byModel.To, byModel.GroupBy));
        // Paid successes cost 20,000, 50,000 and 70,000 (the first Fast one was free): P50 is the 2nd of 3, P95 the 3rd.
        Assert.Equal(
            new UsageFigures(null, new UsageJobs(4, 1, 1, 1, 1), 4 * OutputMs, 140_000, 1, new CostPercentiles(3, 50_000, 70_000)),
            byModel.Total);
        Assert.Equal(
            [
                new UsageFigures("seedance-2.0", new UsageJobs(2, 0, 0, 0, 0), 2 * OutputMs, 120_000, 0, new CostPercentiles(2, 50_000, 70_000)),
                new UsageFigures("seedance-2.0-fast", new UsageJobs(2, 1, 1, 1, 1), 2 * OutputMs, 20_000, 1, new CostPercentiles(1, 20_000, 20_000)),
            ],
            byModel.Groups);

        // Whatever the grouping, the cost per job of each model and each ISO week comes along.
        var byDay = await accounts.GetUsageAsync("acct-a", March, April, UsageGrouping.Day, None);
        Assert.Equal(["2026-03-04", "2026-03-11"], byDay.Groups.Select(g => g.Key));
        Assert.Equal(new UsageJobs(3, 1, 1, 1, 1), byDay.Groups[0].Jobs);
        Assert.Equal(byModel.Total, byDay.Total);
        Assert.Equal(
            [new CostSlope("seedance-2.0", new CostPercentiles(2, 50_000, 70_000)), new CostSlope("seedance-2.0-fast", new CostPercentiles(1, 20_000, 20_000))],
            byDay.ByModel);
        Assert.Equal(
            [new CostSlope("2026-W10", new CostPercentiles(2, 20_000, 50_000)), new CostSlope("2026-W11", new CostPercentiles(1, 70_000, 70_000))],
            byDay.ByWeek);

        var byWeek = await accounts.GetUsageAsync("acct-a", March, April, UsageGrouping.Week, None);
        Assert.Equal(["2026-W10", "2026-W11"], byWeek.Groups.Select(g => g.Key));
        Assert.Equal((70_000L, 1), (byWeek.Groups[1].CostMicros, byWeek.Groups[1].Jobs.Total));
        Assert.Equal(byModel.ByWeek, byWeek.ByWeek);

        // The period is [from, to): the success settled at the stroke of T0 + 7 days belongs to the later one only.
        var before = await accounts.GetUsageAsync("acct-a", March, T0.AddDays(7), UsageGrouping.Model, None);
        var after = await accounts.GetUsageAsync("acct-a", T0.AddDays(7), April, UsageGrouping.Model, None);
        Assert.Equal((70_000L, 70_000L), (before.Total.CostMicros, after.Total.CostMicros));
        Assert.Equal((7, 1), (before.Total.Jobs.Total, after.Total.Jobs.Total));

        // The February success is outside; acct-b's job is its own; an account with no jobs has empty figures.
        var february = await accounts.GetUsageAsync("acct-a", March.AddMonths(-1), March, UsageGrouping.Model, None);
        Assert.Equal((1, 90_000L), (february.Total.Jobs.Succeeded, february.Total.CostMicros));
        Assert.Equal(new UsageJobs(1, 0, 0, 0, 0), (await accounts.GetUsageAsync("acct-b", March, April, UsageGrouping.Model, None)).Total.Jobs);
        var none = await accounts.GetUsageAsync("acct-c", March, April, UsageGrouping.Week, None);
        Assert.Equal(new UsageFigures(null, new UsageJobs(0, 0, 0, 0, 0), 0, 0, 0, new CostPercentiles(0, null, null)), none.Total);
        Assert.Empty(none.Groups);
        Assert.Empty(none.ByModel);
        Assert.Equal(1, await CountOpenAsync(store)); // only the open job is left unfinished
    }

    [Fact]
    public async Task Usage_refuses_an_empty_or_too_long_period()
    {
        var (_, accounts, _) = await OpenAsync();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => accounts.GetUsageAsync("acct-a", April, March, UsageGrouping.Day, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => accounts.GetUsageAsync("acct-a", March, March, UsageGrouping.Day, None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => accounts.GetUsageAsync("acct-a", March, March + LedgerUsage.MaxRange + TimeSpan.FromMilliseconds(1), UsageGrouping.Day, None));
    }

    /// <summary>
    /// acct-a (one free Fast success a month) in March 2026: on T0 (Wed 4th, week 10) a free Fast success (10,000), a
    /// paid one (20,000), a Standard one (50,000, its job deleted afterwards), a failure, a cancellation, an expiry and a
    /// job still queued; a week later a Standard success (70,000). Also a February success (90,000) and one of acct-b.
    /// </summary>
    private async Task<(SqlJobStore Store, SqlAccountStore Accounts)> UsageHistoryAsync()
    {
        var (store, accounts, _) = await OpenAsync(freeFastPerMonth: 1);
        var cancelled = NewJob();
        await store.CreateAsync(cancelled, None);
        Assert.True(await store.CancelQueuedAsync(cancelled.AccountId, cancelled.Id, T0, None));
        var expired = NewJob() with { ExpiresAt = T0.AddMinutes(1) };
        await store.CreateAsync(expired, None);
        Assert.Equal([expired.Id], await store.ExpireDueAsync(T0.AddMinutes(2), None));

        await SucceedOneAsync(store, NewJob(), 10_000, T0.AddMinutes(3));
        await SucceedOneAsync(store, NewJob(), 20_000, T0.AddMinutes(4));
        var deleted = NewJob(model: "seedance-2.0");
        await SucceedOneAsync(store, deleted, 50_000, T0.AddMinutes(5));
        var failed = NewJob();
        await store.CreateAsync(failed, None);
        Assert.Single(await store.ClaimAsync("node-1", 1, T0.AddMinutes(6), Lease, None));
        Assert.True(await store.FailAsync(failed.Id, "node-1", JobStatus.Failed, new JobError("InvalidParameter", "no"), T0.AddMinutes(6), None));
        await SucceedOneAsync(store, NewJob(model: "seedance-2.0", createdAt: T0.AddDays(7)), 70_000, T0.AddDays(7));
        await SucceedOneAsync(store, NewJob(model: "seedance-2.0", createdAt: T0.AddDays(-20)), 90_000, T0.AddDays(-20));
        await SucceedOneAsync(store, NewJob("acct-b"), 30_000, T0);

        Assert.True(await store.DeleteTerminalAsync(deleted.AccountId, deleted.Id, None)); // its money history stays
        await store.CreateAsync(NewJob(createdAt: T0.AddMinutes(7)), None); // still open
        return (store, accounts);
    }

    private static async Task SucceedOneAsync(SqlJobStore store, Job job, long cost, DateTimeOffset at)
    {
        await store.CreateAsync(job, None);
        Assert.Equal(job.Id, Assert.Single(await store.ClaimAsync("node-1", 1, at, Lease, None)).Id);
        Assert.True(await store.CompleteAsync(job.Id, "node-1", JobSamples.Outputs(), cost, at, None));
    }
}
