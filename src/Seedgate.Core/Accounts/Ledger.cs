using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Accounts;

/// <summary>An account's money as the ledger derives it, in micro-dollars.</summary>
/// <param name="ChargedMicros">What successes cost since the start of the period asked for.</param>
/// <param name="ReservedMicros">What jobs not yet finished hold (their estimates), whenever they were submitted.</param>
/// <param name="FreeFastUsed">Fast-tier successes made free in the calendar month (UTC) the period starts in.</param>
public sealed record LedgerBalance(long ChargedMicros, long ReservedMicros, int FreeFastUsed = 0);

/// <summary>
/// The money ledger, written as a job effect (in the transaction of the transition that causes each entry): a create
/// reserves the job's estimate; a success charges what it made (the job's cost) and releases the reserve; a failure,
/// expiry, cancellation or deletion releases it. Each job has at most one entry of each kind (a unique index), so every
/// step happens exactly once whatever crashes, retries or replays come; a failed job is never charged. The first
/// <see cref="FreeFastPerMonth"/> Fast-tier successes of an account in a calendar month (UTC) are charged $0: the quota
/// is counted at settlement, so a failed job does not use it up.
/// </summary>
public sealed class Ledger(ModelCatalog catalog, int freeFastPerMonth = Ledger.DefaultFreeFastPerMonth) : IJobEffect
{
    /// <summary>SPEC §3: 20 Fast-tier generations a month are free.</summary>
    public const int DefaultFreeFastPerMonth = 20;

    // The kinds of entry, spelled once for the statements below.
    private const string Reserve = "reserve";
    private const string Release = "release";
    private const string Charge = "charge";

    private const string InsertSql =
        "INSERT INTO ledger_entries (account_id, job_id, kind, amount_micros, created_at) " +
        "VALUES (@account_id, @job_id, @kind, @amount_micros, @now) ON CONFLICT DO NOTHING;";

    // Minus the reserve, once; nothing for a job that reserved nothing (made before the ledger).
    private const string ReleaseSql =
        "INSERT INTO ledger_entries (account_id, job_id, kind, amount_micros, created_at) " +
        $"SELECT account_id, job_id, '{Release}', -amount_micros, @now FROM ledger_entries " +
        $"WHERE job_id = @job_id AND kind = '{Reserve}' ON CONFLICT DO NOTHING;";

    // Up to @wanted more free successes for the month, never past the quota: the upsert locks the month's row, so
    // racing settlements (on any node) see each other's counts. Right-hand sides read the row as it was. No row back:
    // the quota was used up.
    private const string UseFreeSql =
        "INSERT INTO free_quota_use (account_id, month, used, granted) " +
        "VALUES (@account_id, @month, CASE WHEN @wanted > @quota THEN @quota ELSE @wanted END, " +
        "CASE WHEN @wanted > @quota THEN @quota ELSE @wanted END) " +
        "ON CONFLICT (account_id, month) DO UPDATE SET " +
        "used = CASE WHEN free_quota_use.used + @wanted > @quota THEN @quota ELSE free_quota_use.used + @wanted END, " +
        "granted = CASE WHEN free_quota_use.used + @wanted > @quota THEN @quota - free_quota_use.used ELSE @wanted END " +
        "WHERE free_quota_use.used < @quota RETURNING granted;";

    private const string BalanceSql =
        "SELECT " +
        $"COALESCE(SUM(CASE WHEN kind = '{Charge}' AND created_at >= @since THEN amount_micros ELSE 0 END), 0), " +
        $"COALESCE(SUM(CASE WHEN kind IN ('{Reserve}', '{Release}') THEN amount_micros ELSE 0 END), 0), " +
        "(SELECT COALESCE(MAX(used), 0) FROM free_quota_use WHERE account_id = @account_id AND month = @month) " +
        "FROM ledger_entries WHERE account_id = @account_id;";

    /// <summary>How many Fast-tier successes an account gets free each calendar month.</summary>
    public int FreeFastPerMonth { get; } = freeFastPerMonth >= 0
        ? freeFastPerMonth
        : throw new ArgumentOutOfRangeException(nameof(freeFastPerMonth), "The free quota cannot be negative.");

    public bool AppliesTo(JobTransitionKind kind) => kind is JobTransitionKind.Created or JobTransitionKind.Completed
        or JobTransitionKind.Failed or JobTransitionKind.Expired or JobTransitionKind.Cancelled or JobTransitionKind.Deleted;

    /// <summary>What a job holds from submit to end: its whole requested clip (a normalized spec) at its model's price.</summary>
    public long EstimateMicros(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var model = catalog.Find(request.Model) ?? throw new InvalidOperationException($"Model '{request.Model}' is not in the catalog.");
        return Pricing.CostMicros(model, request.Resolution!, request.Duration!.Value, request.FramesPerSecond!.Value);
    }

    public Task ApplyAsync(JobTransition transition, SqlSession session, CancellationToken cancellationToken) =>
        ApplyAllAsync([transition], session, cancellationToken);

    /// <summary>The entries of one write's jobs, each kind in one round trip.</summary>
    public async Task ApplyAllAsync(IReadOnlyList<JobTransition> transitions, SqlSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(session);
        if (transitions.Count == 0)
        {
            return;
        }

        var jobs = transitions.Select(t => t.Job).ToArray();
        switch (transitions[0].Kind)
        {
            case JobTransitionKind.Created:
                await InsertAsync(session, jobs, Reserve, job => EstimateMicros(job.Request), job => job.CreatedAt, cancellationToken);
                break;
            case JobTransitionKind.Completed:
                var free = await UseFreeQuotaAsync(session, jobs, cancellationToken);
                await InsertAsync(
                    session, jobs, Charge, job => free.Contains(job.Id) ? 0 : job.CostMicros ?? 0, job => job.UpdatedAt, cancellationToken);
                await ReleaseAsync(session, jobs, cancellationToken);
                break;
            default: // failed, expired, cancelled, deleted: the hold ends, nothing is charged
                await ReleaseAsync(session, jobs, cancellationToken);
                break;
        }
    }

    /// <summary>An account's charges since <paramref name="since"/> and what its unfinished jobs hold now.</summary>
    public static async Task<LedgerBalance> BalanceAsync(SqlSession session, string accountId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var rows = await session.QueryAsync(
            BalanceSql,
            c =>
            {
                c.Text("@account_id", accountId);
                c.Bigint("@since", since.ToUnixTimeMilliseconds());
                c.Text("@month", Month(since));
            },
            r => new LedgerBalance(r.GetInt64(0), r.GetInt64(1), (int)r.GetInt64(2)),
            cancellationToken);
        return rows[0];
    }

    /// <summary>
    /// The ids of the successes the free quota covers (Fast tier, something to pay, quota left this month): one upsert
    /// per account and month in the write, the first ones in the write's order taking what it granted.
    /// </summary>
    private async Task<HashSet<string>> UseFreeQuotaAsync(SqlSession session, Job[] jobs, CancellationToken cancellationToken)
    {
        var free = new HashSet<string>(StringComparer.Ordinal);
        if (FreeFastPerMonth == 0)
        {
            return free;
        }

        var eligible = jobs.Where(j => j.CostMicros > 0 && catalog.Find(j.Request.Model)?.Tier == Tier.Fast);
        foreach (var group in eligible.GroupBy(j => (j.AccountId, Month: Month(j.UpdatedAt))))
        {
            var granted = await session.QueryAsync(
                UseFreeSql,
                c =>
                {
                    c.Text("@account_id", group.Key.AccountId);
                    c.Text("@month", group.Key.Month);
                    c.Int4("@wanted", group.Count());
                    c.Int4("@quota", FreeFastPerMonth);
                },
                r => r.GetInt32(0),
                cancellationToken);
            free.UnionWith(group.Take(granted.SingleOrDefault()).Select(j => j.Id));
        }

        return free;
    }

    private static string Month(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    private static Task<int> InsertAsync(
        SqlSession session, Job[] jobs, string kind, Func<Job, long> amount, Func<Job, DateTimeOffset> at, CancellationToken cancellationToken) =>
        session.ExecuteEachAsync(
            InsertSql,
            jobs,
            (c, job) =>
            {
                c.Text("@account_id", job.AccountId);
                c.Text("@job_id", job.Id);
                c.Text("@kind", kind);
                c.Bigint("@amount_micros", amount(job));
                c.Bigint("@now", at(job).ToUnixTimeMilliseconds());
            },
            cancellationToken);

    private static Task<int> ReleaseAsync(SqlSession session, Job[] jobs, CancellationToken cancellationToken) =>
        session.ExecuteEachAsync(
            ReleaseSql,
            jobs,
            (c, job) =>
            {
                c.Text("@job_id", job.Id);
                c.Bigint("@now", job.UpdatedAt.ToUnixTimeMilliseconds());
            },
            cancellationToken);
}
