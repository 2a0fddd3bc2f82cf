using System.Globalization;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Accounts;

/// <summary>How a usage report splits its period.</summary>
public enum UsageGrouping
{
    /// <summary>By catalog model id.</summary>
    Model,

    /// <summary>By UTC calendar day: "2026-12-01".</summary>
    Day,

    /// <summary>By ISO 8601 week (UTC): "2026-W49".</summary>
    Week,
}

/// <summary>Jobs by how they ended; <see cref="Open"/> ones are reserved and not yet released.</summary>
public sealed record UsageJobs(int Succeeded, int Failed, int Cancelled, int Expired, int Open)
{
    public int Total => Succeeded + Failed + Cancelled + Expired + Open;
}

/// <summary>
/// P50 and P95 of what the paid successes cost, in micro-dollars, by nearest rank (see <see cref="LedgerUsage.NearestRank"/>);
/// null when there were none. Successes the free quota covered ($0) are left out: the quota starts again every month,
/// and counting its zeros would drag the percentiles down at each month's start and hide the slope they are for.
/// </summary>
/// <param name="Jobs">How many paid successes the percentiles are taken over.</param>
public sealed record CostPercentiles(int Jobs, long? P50Micros, long? P95Micros);

/// <summary>The figures of a usage report for one group (or the whole period).</summary>
/// <param name="Key">The group: a model id, a day "2026-12-01" or a week "2026-W49"; null for the total.</param>
/// <param name="Jobs">The jobs booked in the group, by outcome.</param>
/// <param name="OutputMs">How much video the successes made, in milliseconds.</param>
/// <param name="CostMicros">What the account was charged (successes, and content-policy fees on failures).</param>
/// <param name="FreeQuotaJobs">Successes charged $0 because the month's free quota covered them.</param>
/// <param name="CostPerJob">P50 / P95 cost of a paid success.</param>
public sealed record UsageFigures(string? Key, UsageJobs Jobs, long OutputMs, long CostMicros, int FreeQuotaJobs, CostPercentiles CostPerJob);

/// <summary>The cost per job of one model or one week, for watching the slope of cost rather than its total.</summary>
public sealed record CostSlope(string Key, CostPercentiles CostPerJob);

/// <summary>An account's usage over [<paramref name="From"/>, <paramref name="To"/>), from its ledger.</summary>
/// <param name="Groups">One per group with activity, ordered by key (days and weeks: oldest first).</param>
/// <param name="ByModel">Cost per job for each model, whatever the grouping.</param>
/// <param name="ByWeek">Cost per job for each ISO week, whatever the grouping.</param>
public sealed record UsageReport(
    DateTimeOffset From,
    DateTimeOffset To,
    UsageGrouping GroupBy,
    UsageFigures Total,
    IReadOnlyList<UsageFigures> Groups,
    IReadOnlyList<CostSlope> ByModel,
    IReadOnlyList<CostSlope> ByWeek);

/// <summary>
/// Usage reports, derived from the ledger alone (deleted jobs keep their history there). A job is booked at the moment
/// its money settled — its release, which is written with its charge, so a period's cost is what /v1/balance calls
/// charged for it — and a job still open (reserved, not released) at its submission. One provider-neutral read fetches
/// the period's jobs, one row each; grouping and percentiles are computed here.
/// </summary>
public static class LedgerUsage
{
    /// <summary>The longest period one report covers.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(400);

    /// <summary>The model of entries written before entries named one (migration 004).</summary>
    public const string UnknownModel = "unknown";

    // One row a job: its release in the period (with its charge, if any: the closing charge and a long take's segments');
    // or, for a job not released yet, its reserve; or a charge with no release (a job made before the ledger reserved
    // anything). The account's index bounds the scan to the period; each lookup by job probes the unique (job_id, kind,
    // segment) index.
    private const string RowsSql =
        "SELECT e.kind, e.model, e.note, e.created_at, " +
        $"(SELECT SUM(s.amount_micros) FROM ledger_entries s WHERE s.job_id = e.job_id AND s.kind IN ('{Ledger.Charge}', '{Ledger.Segment}')), " +
        "c.output_ms FROM ledger_entries e " +
        $"LEFT JOIN ledger_entries c ON c.job_id = e.job_id AND c.kind = '{Ledger.Charge}' " +
        "WHERE e.account_id = @account_id AND e.created_at >= @from AND e.created_at < @to " +
        $"AND (e.kind = '{Ledger.Release}' OR (e.kind IN ('{Ledger.Reserve}', '{Ledger.Charge}') AND NOT EXISTS " +
        $"(SELECT 1 FROM ledger_entries x WHERE x.job_id = e.job_id AND x.kind = '{Ledger.Release}')));";

    private enum Outcome
    {
        Succeeded,
        Failed,
        Cancelled,
        Expired,
        Open,
    }

    /// <summary>One job as the report counts it.</summary>
    private sealed record Row(string Model, Outcome Outcome, DateTimeOffset At, long? ChargeMicros, long? OutputMs);

    /// <summary>The account's usage over [<paramref name="from"/>, <paramref name="to"/>), grouped by <paramref name="groupBy"/>.</summary>
    internal static async Task<UsageReport> ReadAsync(
        SqlSession session, string accountId, DateTimeOffset from, DateTimeOffset to, UsageGrouping groupBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (to <= from || to - from > MaxRange)
        {
            throw new ArgumentOutOfRangeException(nameof(to), $"A usage report spans more than nothing and at most {MaxRange.TotalDays} days.");
        }

        var rows = await session.QueryAsync(
            RowsSql,
            c =>
            {
                c.Text("@account_id", accountId);
                c.Bigint("@from", from.ToUnixTimeMilliseconds());
                c.Bigint("@to", to.ToUnixTimeMilliseconds());
            },
            r =>
            {
                long? charge = r.IsDBNull(4) ? null : r.GetInt64(4);
                var outcome = r.GetString(0) switch
                {
                    Ledger.Reserve => Outcome.Open,
                    Ledger.Charge => Outcome.Succeeded,
                    _ => OutcomeOf(r.IsDBNull(2) ? null : r.GetString(2), charge),
                };
                return new Row(
                    r.IsDBNull(1) ? UnknownModel : r.GetString(1), outcome, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)), charge,
                    r.IsDBNull(5) ? null : r.GetInt64(5));
            },
            cancellationToken);

        return new UsageReport(
            from,
            to,
            groupBy,
            Figures(null, rows),
            [.. rows.GroupBy(r => KeyOf(r, groupBy), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Figures(g.Key, [.. g]))],
            Slopes(rows, UsageGrouping.Model),
            Slopes(rows, UsageGrouping.Week));
    }

    /// <summary>
    /// The nearest-rank percentile of ascending <paramref name="sorted"/> values: the value at rank ⌈p/100 · n⌉ (from 1),
    /// always one of the values, never interpolated; null for no values. P50 of [10, 20, 30, 40] is 20, P95 is 40.
    /// </summary>
    public static long? NearestRank(IReadOnlyList<long> sorted, int percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (sorted.Count == 0)
        {
            return null;
        }

        var rank = (int)(((long)percent * sorted.Count + 99) / 100); // ⌈p·n/100⌉ in integers
        return sorted[rank - 1];
    }

    /// <summary>The ISO 8601 week (UTC) a moment falls in: "2026-W49" (the week's year, which at New Year may differ).</summary>
    public static string WeekOf(DateTimeOffset at)
    {
        var day = at.UtcDateTime;
        return string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(day):D4}-W{ISOWeek.GetWeekOfYear(day):D2}");
    }

    /// <summary>
    /// Reads a period's bound: an ISO 8601 date (2026-12-01, its midnight UTC) or date-time (2026-12-01T09:30:00Z; UTC
    /// unless it gives an offset), as UTC. Other forms DateTimeOffset would take ("12/01/2026", "Dec 1") are refused.
    /// </summary>
    public static bool TryParseMoment(string? text, out DateTimeOffset at)
    {
        at = default;
        if (text is not { Length: >= 10 }
            || !DateOnly.TryParseExact(text.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return false;
        }

        if (text.Length == 10)
        {
            at = new DateTimeOffset(date, TimeOnly.MinValue, TimeSpan.Zero);
            return true;
        }

        return text[10] == 'T'
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at);
    }

    /// <summary>The UTC calendar day a moment falls in: "2026-12-01".</summary>
    public static string DayOf(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    // A release's note is the job's outcome. Releases written before notes were (migration 004) have none: a charged
    // one was a success; an uncharged one is counted as failed (cancelled and expired cannot be told apart from it).
    private static Outcome OutcomeOf(string? note, long? charge) => note switch
    {
        "succeeded" => Outcome.Succeeded,
        "failed" => Outcome.Failed,
        "cancelled" => Outcome.Cancelled,
        "expired" => Outcome.Expired,
        _ => charge is null ? Outcome.Failed : Outcome.Succeeded,
    };

    private static string KeyOf(Row row, UsageGrouping groupBy) => groupBy switch
    {
        UsageGrouping.Model => row.Model,
        UsageGrouping.Day => DayOf(row.At),
        _ => WeekOf(row.At),
    };

    private static UsageFigures Figures(string? key, IReadOnlyList<Row> rows)
    {
        var jobs = new UsageJobs(
            rows.Count(r => r.Outcome == Outcome.Succeeded),
            rows.Count(r => r.Outcome == Outcome.Failed),
            rows.Count(r => r.Outcome == Outcome.Cancelled),
            rows.Count(r => r.Outcome == Outcome.Expired),
            rows.Count(r => r.Outcome == Outcome.Open));
        var successes = rows.Where(r => r.Outcome == Outcome.Succeeded).ToArray();
        return new UsageFigures(
            key,
            jobs,
            successes.Sum(r => r.OutputMs ?? 0),
            rows.Sum(r => r.ChargeMicros ?? 0),
            successes.Count(r => r.ChargeMicros == 0),
            CostPerJob(successes));
    }

    private static CostPercentiles CostPerJob(IEnumerable<Row> successes)
    {
        long[] paid = [.. successes.Where(r => r.ChargeMicros > 0).Select(r => r.ChargeMicros!.Value).Order()];
        return new CostPercentiles(paid.Length, NearestRank(paid, 50), NearestRank(paid, 95));
    }

    private static CostSlope[] Slopes(IEnumerable<Row> rows, UsageGrouping by) =>
        [.. rows.Where(r => r.Outcome == Outcome.Succeeded)
            .GroupBy(r => KeyOf(r, by), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new CostSlope(g.Key, CostPerJob(g)))];
}
