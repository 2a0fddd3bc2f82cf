using System.Globalization;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Accounts;

/// <summary>
/// Whether an account may have another job, decided in the create's transaction. Each account's unfinished jobs and
/// what they hold are one row (account_open), raised by a create and lowered by the end of each job (success,
/// failure, expiry, cancellation — each happens once, in its transaction). The create's upsert of that row locks it,
/// so concurrent submits on any node are judged one after another, each against what the others stored: the open
/// jobs against the plan's <see cref="Plan.MaxInProgress"/> (under <see cref="Overflow.Reject"/>) or that plus
/// <see cref="Plan.MaxQueued"/> (under <see cref="Overflow.Queue"/>), and the month's charges plus what open jobs
/// hold against <see cref="Plan.MonthlyBudgetMicros"/>. A refusal throws, which rolls the create back: the job, its
/// reserve, its idempotency key and the row's change are never stored.
/// </summary>
public sealed class AccountAdmission(Plans plans, Ledger ledger) : IJobEffect
{
    // The plan comes back with the totals: one round trip. (Money charged meanwhile is read after, in its own
    // statement: on PostgreSQL a RETURNING subquery sees the data as the statement began, before it waited for the lock.)
    private const string OpenSql =
        "INSERT INTO account_open (account_id, jobs, held_micros) VALUES (@account_id, @jobs, @held_micros) " +
        "ON CONFLICT (account_id) DO UPDATE SET jobs = account_open.jobs + @jobs, held_micros = account_open.held_micros + @held_micros " +
        "RETURNING jobs, held_micros, (SELECT plan FROM accounts WHERE id = @account_id), (SELECT overrides FROM accounts WHERE id = @account_id);";

    // What the ending jobs held is what the ledger reserved for them (whatever the prices are now), less what a long
    // take's segments took from the hold as they finished (SettleSql).
    private static string CloseSql(int jobs) =>
        "UPDATE account_open SET jobs = jobs - @jobs, held_micros = held_micros - " +
        $"COALESCE((SELECT SUM(CASE WHEN kind = '{Ledger.Reserve}' THEN amount_micros ELSE -amount_micros END) FROM ledger_entries " +
        $"WHERE kind IN ('{Ledger.Reserve}', '{Ledger.Segment}') AND job_id IN ({SqlParameters.Placeholders("j", jobs)})), 0) " +
        "WHERE account_id = @account_id;";

    // A finished segment of a long take is charged at once: it is no longer held, it is charged (the month's total).
    private const string SettleSql = "UPDATE account_open SET held_micros = held_micros - @micros WHERE account_id = @account_id;";

    private const string ChargedSql = "SELECT charged_micros FROM account_months WHERE account_id = @account_id AND month = @month;";

    public bool AppliesTo(JobTransitionKind kind) => kind is JobTransitionKind.Created or JobTransitionKind.SegmentFinished
        or JobTransitionKind.Completed or JobTransitionKind.Failed or JobTransitionKind.Expired or JobTransitionKind.Cancelled;

    public Task ApplyAsync(JobTransition transition, SqlSession session, CancellationToken cancellationToken) =>
        ApplyAllAsync([transition], session, cancellationToken);

    public async Task ApplyAllAsync(IReadOnlyList<JobTransition> transitions, SqlSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(session);
        if (transitions.Count == 0)
        {
            return;
        }

        // One lock order for every write: two writes that touch the same accounts never wait for each other in a circle.
        var accounts = transitions.GroupBy(t => t.Job.AccountId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
        if (transitions[0].Kind == JobTransitionKind.SegmentFinished)
        {
            await session.ExecuteEachDeferredAsync(
                SettleSql,
                [.. accounts.Select(a => (AccountId: a.Key, Micros: a.Sum(t => t.Job.Segments[^1].CostMicros)))],
                (c, settled) =>
                {
                    c.Text("@account_id", settled.AccountId);
                    c.Bigint("@micros", settled.Micros);
                },
                cancellationToken);
            return;
        }

        if (transitions[0].Kind != JobTransitionKind.Created)
        {
            foreach (var account in accounts)
            {
                var ids = account.Select(t => t.Job.Id).ToArray();
                await session.ExecuteDeferredAsync(
                    CloseSql(ids.Length),
                    c =>
                    {
                        c.Text("@account_id", account.Key);
                        c.Bigint("@jobs", ids.Length);
                        c.TextEach("j", ids);
                    },
                    cancellationToken);
            }

            return;
        }

        foreach (var account in accounts)
        {
            var open = await session.QueryAsync(
                OpenSql,
                c =>
                {
                    c.Text("@account_id", account.Key);
                    c.Bigint("@jobs", account.Count());
                    c.Bigint("@held_micros", account.Sum(t => ledger.EstimateMicros(t.Job.Request)));
                },
                r => (Jobs: r.GetInt64(0), HeldMicros: r.GetInt64(1), Plan: r.IsDBNull(2) ? null : r.GetString(2), Overrides: r.IsDBNull(3) ? "{}" : r.GetString(3)),
                cancellationToken);
            var (jobs, held, planName, overrides) = open[0];
            var plan = planName is null ? plans.Default : plans.Resolve(planName, overrides);
            var charged = plan.MonthlyBudgetMicros is null ? 0 : await ChargedAsync(session, account.Key, account.First().Job.CreatedAt, cancellationToken);
            if (Refusal(plan, jobs, charged + held) is { } refusal)
            {
                throw new SeedgateException(refusal);
            }
        }
    }

    private static async Task<long> ChargedAsync(SqlSession session, string accountId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var charged = await session.QueryAsync(
            ChargedSql,
            c =>
            {
                c.Text("@account_id", accountId);
                c.Text("@month", Ledger.Month(now));
            },
            r => r.GetInt64(0),
            cancellationToken);
        return charged.SingleOrDefault();
    }

    /// <summary>Why a plan refuses an account with <paramref name="open"/> unfinished jobs committing <paramref name="spendMicros"/>, or null.</summary>
    private static SeedgateError? Refusal(Plan plan, long open, long spendMicros)
    {
        if (plan.Overflow == Overflow.Reject && open > plan.MaxInProgress)
        {
            return new SeedgateError(
                ErrorCodes.QuotaExceeded,
                $"The account already has {plan.MaxInProgress} tasks in progress, its plan's max_in_progress: submit again when one ends.");
        }

        if (open > plan.MaxInProgress + plan.MaxQueued)
        {
            return new SeedgateError(
                ErrorCodes.QuotaExceeded,
                $"The account already has {plan.MaxInProgress} tasks in progress and {plan.MaxQueued} waiting (its plan's max_in_progress " +
                "and max_queued): submit again when one ends.");
        }

        if (plan.MonthlyBudgetMicros is { } budget && spendMicros > budget)
        {
            return new SeedgateError(
                ErrorCodes.AccountOverdueError,
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"This task would take the account past its monthly budget of ${plan.MonthlyBudgetUsd} (spent and reserved this month with this task's estimate): it was not accepted."));
        }

        return null;
    }
}
