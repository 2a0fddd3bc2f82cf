using Seedgate.Core.Catalog;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Accounts;

/// <summary>An account's money as the ledger derives it, in micro-dollars.</summary>
/// <param name="ChargedMicros">What successes cost since the start of the period asked for.</param>
/// <param name="ReservedMicros">What jobs not yet finished hold (their estimates), whenever they were submitted.</param>
/// <param name="FreeFastUsed">Fast-tier successes made free in the calendar month (UTC) the period starts in.</param>
/// <param name="CreditMicros">Every credit (top-ups less adjustments) the account was given.</param>
/// <param name="ChargedAllTimeMicros">Every charge the account ever had: its balance is credits less this.</param>
public sealed record LedgerBalance(long ChargedMicros, long ReservedMicros, int FreeFastUsed = 0, long CreditMicros = 0, long ChargedAllTimeMicros = 0);

/// <summary>
/// The money ledger, written as a job effect (in the transaction of the transition that causes each entry): a create
/// reserves the job's estimate; a success charges what it made (the job's cost) and releases the reserve; a failure,
/// expiry, cancellation or deletion releases it (a failure at the content-policy check is charged the catalog's
/// <see cref="ModelCatalog.PolicyFailureFraction"/> of the estimate; a long take that fails or expires is charged the
/// segments it delivered). Each job has at most one entry of each kind (a
/// unique index), so every step happens exactly once whatever crashes, retries or replays come; a failed job is never
/// charged otherwise. The first <see cref="Plan.FreeFastPerMonth"/> Fast-tier successes of an account in a calendar
/// month (UTC) (single clips, not long takes) are charged $0: the quota is counted at settlement, so a failed job does not use it up. Charges are
/// also summed per account and month (account_months), the one row a budget check reads.
/// </summary>
public sealed class Ledger(ModelCatalog catalog, Plans plans) : IJobEffect
{
    // The kinds of entry, spelled once for the statements below and those that read the ledger (usage, task views).
    internal const string Reserve = "reserve";
    internal const string Release = "release";
    internal const string Charge = "charge";
    private const string Credit = "credit";

    // Minus the reserve, once; nothing for a job that reserved nothing (made before the ledger). The note is the outcome.
    private const string ReleaseSql =
        "INSERT INTO ledger_entries (account_id, job_id, kind, amount_micros, created_at, model, note) " +
        $"SELECT account_id, job_id, '{Release}', -amount_micros, @now, model, @note FROM ledger_entries " +
        $"WHERE job_id = @job_id AND kind = '{Reserve}' ON CONFLICT DO NOTHING;";

    private const string CreditSql =
        "INSERT INTO ledger_entries (account_id, job_id, kind, amount_micros, created_at, note) " +
        $"VALUES (@account_id, NULL, '{Credit}', @amount_micros, @now, @note) RETURNING id;";

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

    private const string AddToMonthSql =
        "INSERT INTO account_months (account_id, month, charged_micros) VALUES (@account_id, @month, @amount_micros) " +
        "ON CONFLICT (account_id, month) DO UPDATE SET charged_micros = account_months.charged_micros + @amount_micros;";

    private const string BalanceSql =
        "SELECT " +
        $"COALESCE(SUM(CASE WHEN kind = '{Charge}' AND created_at >= @since THEN amount_micros ELSE 0 END), 0), " +
        $"COALESCE(SUM(CASE WHEN kind IN ('{Reserve}', '{Release}') THEN amount_micros ELSE 0 END), 0), " +
        "(SELECT COALESCE(MAX(used), 0) FROM free_quota_use WHERE account_id = @account_id AND month = @month), " +
        $"COALESCE(SUM(CASE WHEN kind = '{Credit}' THEN amount_micros ELSE 0 END), 0), " +
        $"COALESCE(SUM(CASE WHEN kind = '{Charge}' THEN amount_micros ELSE 0 END), 0) " +
        "FROM ledger_entries WHERE account_id = @account_id;";

    public bool AppliesTo(JobTransitionKind kind) => kind is JobTransitionKind.Created or JobTransitionKind.Completed
        or JobTransitionKind.Failed or JobTransitionKind.Expired or JobTransitionKind.Cancelled or JobTransitionKind.Deleted;

    /// <summary>What a job holds from submit to end (<see cref="Pricing.EstimateMicros"/>).</summary>
    public long EstimateMicros(GenerationRequest request) => Pricing.EstimateMicros(catalog, request);

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
                await ChargeAsync(session, jobs, job => free.Contains(job.Id) ? 0 : job.CostMicros ?? 0, cancellationToken);
                await ReleaseAsync(session, jobs, cancellationToken);
                break;
            case JobTransitionKind.Failed or JobTransitionKind.Expired:
                var owing = jobs.Where(j => UnfinishedChargeMicros(j) > 0).ToArray();
                if (owing.Length > 0)
                {
                    await ChargeAsync(session, owing, UnfinishedChargeMicros, cancellationToken);
                }

                await ReleaseAsync(session, jobs, cancellationToken);
                break;
            default: // cancelled, deleted: the hold ends, nothing is charged
                await ReleaseAsync(session, jobs, cancellationToken);
                break;
        }
    }

    /// <summary>
    /// What a job that ended without success owes: what it delivered (a long take's finished segments, see
    /// <see cref="JobDelivery"/>), and for a refusal at the content-policy check the catalog's fee on its estimate.
    /// </summary>
    private long UnfinishedChargeMicros(Job job)
    {
        var delivered = job.Outputs is null ? 0 : job.CostMicros ?? 0;
        var fee = job.Error?.IsContentPolicy == true
            ? (long)Math.Round(Pricing.EstimateOnMicros(catalog, job.Request, job.Request.Model) * catalog.PolicyFailureFraction)
            : 0;
        return delivered + fee;
    }

    /// <summary>Adds a credit (a top-up, or with a negative amount an adjustment) to an account; its entry id.</summary>
    internal static async Task<long> AddCreditAsync(
        SqlSession session, string accountId, long amountMicros, string? note, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var ids = await session.QueryAsync(
            CreditSql,
            c =>
            {
                c.Text("@account_id", accountId);
                c.Bigint("@amount_micros", amountMicros);
                c.Bigint("@now", now.ToUnixTimeMilliseconds());
                c.Text("@note", note);
            },
            r => r.GetInt64(0),
            cancellationToken);
        return ids[0];
    }

    /// <summary>An account's charges since <paramref name="since"/>, what its unfinished jobs hold now, and its credits.</summary>
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
            r => new LedgerBalance(r.GetInt64(0), r.GetInt64(1), (int)r.GetInt64(2), r.GetInt64(3), r.GetInt64(4)),
            cancellationToken);
        return rows[0];
    }

    /// <summary>The calendar month (UTC) a moment falls in, as the quota and the month totals key it: "2026-12".</summary>
    internal static string Month(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The ids of the successes the free quota covers (Fast tier, something to pay, quota left this month): one upsert
    /// per account and month in the write, the first ones in the write's order taking what it granted.
    /// </summary>
    private async Task<HashSet<string>> UseFreeQuotaAsync(SqlSession session, Job[] jobs, CancellationToken cancellationToken)
    {
        var free = new HashSet<string>(StringComparer.Ordinal);
        // A long take is many clips in one: the quota's free successes are single clips.
        var eligible = jobs.Where(j => j.CostMicros > 0 && !j.Request.LongTake && catalog.Find(j.Request.Model)?.Tier == Tier.Fast).ToArray();
        if (eligible.Length == 0)
        {
            return free;
        }

        var accountPlans = await plans.ReadAsync(session, [.. eligible.Select(j => j.AccountId)], cancellationToken);
        foreach (var group in eligible.GroupBy(j => (j.AccountId, Month: Month(j.UpdatedAt))))
        {
            var quota = accountPlans[group.Key.AccountId].FreeFastPerMonth;
            if (quota == 0)
            {
                continue;
            }

            var granted = await session.QueryAsync(
                UseFreeSql,
                c =>
                {
                    c.Text("@account_id", group.Key.AccountId);
                    c.Text("@month", group.Key.Month);
                    c.Int4("@wanted", group.Count());
                    c.Int4("@quota", quota);
                },
                r => r.GetInt32(0),
                cancellationToken);
            free.UnionWith(group.Take(granted.SingleOrDefault()).Select(j => j.Id));
        }

        return free;
    }

    /// <summary>Charges each job once, and adds the charges to their accounts' month totals.</summary>
    private static async Task ChargeAsync(SqlSession session, Job[] jobs, Func<Job, long> amount, CancellationToken cancellationToken)
    {
        await InsertAsync(session, jobs, Charge, amount, job => job.UpdatedAt, cancellationToken);
        var totals = jobs
            .GroupBy(j => (j.AccountId, Month: Month(j.UpdatedAt)))
            .Select(g => (g.Key.AccountId, g.Key.Month, Micros: g.Sum(amount)))
            .Where(t => t.Micros != 0)
            .ToArray();
        await session.ExecuteEachAsync(
            AddToMonthSql,
            totals,
            (c, total) =>
            {
                c.Text("@account_id", total.AccountId);
                c.Text("@month", total.Month);
                c.Bigint("@amount_micros", total.Micros);
            },
            cancellationToken);
    }

    /// <summary>Writes an entry of <paramref name="kind"/> for each job: one statement for the whole write (one parse, one round trip).</summary>
    private static Task<int> InsertAsync(
        SqlSession session, Job[] jobs, string kind, Func<Job, long> amount, Func<Job, DateTimeOffset> at, CancellationToken cancellationToken) =>
        session.ExecuteAsync(
            "INSERT INTO ledger_entries (account_id, job_id, kind, amount_micros, created_at, model, output_ms) VALUES " +
            string.Join(", ", jobs.Select((_, i) => $"(@account_id{i}, @job_id{i}, @kind, @amount_micros{i}, @now{i}, @model{i}, @output_ms{i})")) +
            " ON CONFLICT DO NOTHING;",
            c =>
            {
                c.Text("@kind", kind);
                for (var i = 0; i < jobs.Length; i++)
                {
                    var job = jobs[i];
                    c.Text($"@account_id{i}", job.AccountId);
                    c.Text($"@job_id{i}", job.Id);
                    c.Bigint($"@amount_micros{i}", amount(job));
                    c.Bigint($"@now{i}", at(job).ToUnixTimeMilliseconds());
                    c.Text($"@model{i}", job.Request.Model);
                    c.Bigint($"@output_ms{i}", job.Outputs is { } outputs ? (long)Math.Round(outputs.DurationSeconds * 1000) : null);
                }
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
                c.Text("@note", job.Status.ToString().ToLowerInvariant());
            },
            cancellationToken);
}
