using System.Data.Common;
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
/// segments it delivered). A long take is settled per segment: each finished segment is charged at once (a
/// <see cref="Segment"/> entry), so its hold shrinks as it goes, and its end charges what it owes less what its
/// segments were charged (negative — a refund — when it delivered less, as a cancelled take) and releases what the
/// reserve still holds. Each job has at most one entry of each kind, and one segment entry a segment (a unique index),
/// so every step happens exactly once whatever crashes, retries or replays come; a failed job is never charged otherwise. The first <see cref="Plan.FreeFastPerMonth"/> Fast-tier successes of an account in a calendar
/// month (UTC) (single clips, not long takes) are charged $0: the quota is counted at settlement, so a failed job does not use it up. Charges are
/// also summed per account and month (account_months), the one row a budget check reads.
/// </summary>
public sealed class Ledger(ModelCatalog catalog, Plans plans) : IJobEffect
{
    // The kinds of entry, spelled once for the statements below and those that read the ledger (usage, task views).
    internal const string Reserve = "reserve";
    internal const string Release = "release";
    internal const string Charge = "charge";
    internal const string Segment = "segment";
    private const string Credit = "credit";

    // Minus the reserve, once; nothing for a job that reserved nothing (made before the ledger). The note is the
    // outcome. A long take's segments were charged from its hold as they finished: only what is left is released.
    private static string ReleaseSql(bool lessSettled) =>
        "INSERT INTO ledger_entries (account_id, job_id, kind, amount_micros, created_at, model, note) " +
        $"SELECT r.account_id, r.job_id, '{Release}', {(lessSettled ? $"({SettledSql("r.job_id")}) " : "")}- r.amount_micros, @now, r.model, @note " +
        $"FROM ledger_entries r WHERE r.job_id = @job_id AND r.kind = '{Reserve}' ON CONFLICT DO NOTHING;";

    // One reserve a statement, the same text every time: prepared once, sent as a batch (a multi-row insert's text
    // varies with the batch's size, so PostgreSQL would parse and plan each one).
    private static readonly string ReserveSql = InsertSql([false], returning: false);

    private static readonly string ReleaseJobSql = ReleaseSql(lessSettled: false);

    private static readonly string ReleaseLongTakeSql = ReleaseSql(lessSettled: true);

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
        $"COALESCE(SUM(CASE WHEN kind IN ('{Charge}', '{Segment}') AND created_at >= @since THEN amount_micros ELSE 0 END), 0), " +
        // What is held: reserves less releases, less the segments charged from a long take's hold as they finished.
        $"COALESCE(SUM(CASE WHEN kind IN ('{Reserve}', '{Release}') THEN amount_micros WHEN kind = '{Segment}' THEN -amount_micros ELSE 0 END), 0), " +
        "(SELECT COALESCE(MAX(used), 0) FROM free_quota_use WHERE account_id = @account_id AND month = @month), " +
        $"COALESCE(SUM(CASE WHEN kind = '{Credit}' THEN amount_micros ELSE 0 END), 0), " +
        $"COALESCE(SUM(CASE WHEN kind IN ('{Charge}', '{Segment}') THEN amount_micros ELSE 0 END), 0) " +
        "FROM ledger_entries WHERE account_id = @account_id;";

    public bool AppliesTo(JobTransitionKind kind) => kind is JobTransitionKind.Created or JobTransitionKind.SegmentFinished
        or JobTransitionKind.Completed or JobTransitionKind.Failed or JobTransitionKind.Expired or JobTransitionKind.Cancelled
        or JobTransitionKind.Deleted;

    /// <summary>What the job whose id is <paramref name="jobId"/> (an SQL expression) was charged for its segments so far.</summary>
    internal static string SettledSql(string jobId) =>
        $"SELECT COALESCE(SUM(s.amount_micros), 0) FROM ledger_entries s WHERE s.job_id = {jobId} AND s.kind = '{Segment}'";

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
                var reserves = jobs.Select(j => new Entry(j, EstimateMicros(j.Request), j.CreatedAt)).ToArray();
                await session.ExecuteEachDeferredAsync(ReserveSql, reserves, (c, reserve) => BindEntries(c, Reserve, [reserve]), cancellationToken);
                break;
            case JobTransitionKind.SegmentFinished:
                // The segment the transition recorded is the job's last: its price is fixed, and charged now.
                await ChargeAsync(session, Segment, [.. jobs.Select(SegmentEntry)], cancellationToken);
                break;
            case JobTransitionKind.Completed:
                var free = await UseFreeQuotaAsync(session, jobs, cancellationToken);
                await ChargeAsync(session, Charge, [.. jobs.Select(j => Final(j, free.Contains(j.Id) ? 0 : j.CostMicros ?? 0))], cancellationToken);
                await ReleaseAsync(session, jobs, cancellationToken);
                break;
            default:
                // Failed, expired: what it delivered (and a policy fee); cancelled, deleted: nothing. A long take's
                // segments were charged as they finished: its entry settles the difference.
                var ended = transitions[0].Kind is JobTransitionKind.Failed or JobTransitionKind.Expired;
                var owing = jobs
                    .Select(j => (Job: j, Micros: ended ? UnfinishedChargeMicros(j) : 0))
                    .Where(o => o.Micros > 0 || o.Job.Segments.Count > 0)
                    .Select(o => Final(o.Job, o.Micros))
                    .ToArray();
                if (owing.Length > 0)
                {
                    await ChargeAsync(session, Charge, owing, cancellationToken);
                }

                await ReleaseAsync(session, jobs, cancellationToken);
                break;
        }
    }

    /// <summary>A job's closing charge: what it owes in all, less (in SQL, for a long take) what its segments were charged.</summary>
    private static Entry Final(Job job, long owedMicros) =>
        new(job, owedMicros, job.UpdatedAt, OutputMs: job.Outputs is { } outputs ? Millis(outputs.DurationSeconds) : null, LessSettled: job.Request.LongTake);

    private static Entry SegmentEntry(Job job)
    {
        var segment = job.Segments[^1];
        return new Entry(job, segment.CostMicros, job.UpdatedAt, segment.Index, Millis(segment.Outputs.DurationSeconds));
    }

    private static long Millis(double seconds) => (long)Math.Round(seconds * 1000);

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

    /// <summary>One entry to write for a job.</summary>
    /// <param name="Segment">The segment it charges (a <see cref="Segment"/> entry); -1 for the job's own entries.</param>
    /// <param name="LessSettled">Whether the amount is what the job owes in all, its segments' charges to be taken off.</param>
    private sealed record Entry(Job Job, long AmountMicros, DateTimeOffset At, int Segment = -1, long? OutputMs = null, bool LessSettled = false);

    /// <summary>Writes charges (once each), and adds what was written to the accounts' month totals.</summary>
    private static async Task ChargeAsync(SqlSession session, string kind, Entry[] entries, CancellationToken cancellationToken)
    {
        var written = await session.QueryAsync(
            InsertSql([.. entries.Select(e => e.LessSettled)], returning: true),
            c => BindEntries(c, kind, entries),
            r => (AccountId: r.GetString(0), Micros: r.GetInt64(1), At: DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2))),
            cancellationToken);
        var totals = written
            .GroupBy(w => (w.AccountId, Month: Month(w.At)))
            .Select(g => (g.Key.AccountId, g.Key.Month, Micros: g.Sum(w => w.Micros)))
            .Where(t => t.Micros != 0)
            .ToArray();
        await session.ExecuteEachDeferredAsync(
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

    /// <summary>
    /// One statement for entries (one round trip), a row for each, whose amount is less the job's segment charges where
    /// <paramref name="lessSettled"/> says so; a conflict (the entry exists) writes nothing. With
    /// <paramref name="returning"/> it reads back what it wrote: account, amount, time.
    /// </summary>
    private static string InsertSql(IReadOnlyList<bool> lessSettled, bool returning) =>
        "INSERT INTO ledger_entries (account_id, job_id, kind, amount_micros, created_at, model, output_ms, segment) VALUES " +
        string.Join(", ", lessSettled.Select((less, i) =>
            $"(@account_id{i}, @job_id{i}, @kind, @amount_micros{i}{(less ? $" - ({SettledSql($"@job_id{i}")})" : "")}, @now{i}, @model{i}, @output_ms{i}, @segment{i})")) +
        (returning ? " ON CONFLICT DO NOTHING RETURNING account_id, amount_micros, created_at;" : " ON CONFLICT DO NOTHING;");

    private static void BindEntries(DbCommand command, string kind, Entry[] entries)
    {
        command.Text("@kind", kind);
        for (var i = 0; i < entries.Length; i++)
        {
            var (job, amount, at, segment, outputMs, _) = entries[i];
            command.Text($"@account_id{i}", job.AccountId);
            command.Text($"@job_id{i}", job.Id);
            command.Bigint($"@amount_micros{i}", amount);
            command.Bigint($"@now{i}", at.ToUnixTimeMilliseconds());
            command.Text($"@model{i}", job.Request.Model);
            command.Bigint($"@output_ms{i}", outputMs);
            command.Int4($"@segment{i}", segment);
        }
    }

    private static async Task ReleaseAsync(SqlSession session, Job[] jobs, CancellationToken cancellationToken)
    {
        foreach (var group in jobs.GroupBy(j => j.Request.LongTake))
        {
            await session.ExecuteEachDeferredAsync(
                group.Key ? ReleaseLongTakeSql : ReleaseJobSql,
                group.ToArray(),
                (c, job) =>
                {
                    c.Text("@job_id", job.Id);
                    c.Bigint("@now", job.UpdatedAt.ToUnixTimeMilliseconds());
                    c.Text("@note", job.Status.ToString().ToLowerInvariant());
                },
                cancellationToken);
        }
    }
}
