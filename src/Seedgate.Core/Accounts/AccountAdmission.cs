using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Accounts;

/// <summary>
/// Whether an account may have another job, decided in the create's transaction with the account's row locked (so
/// concurrent submits, on any node, are judged one after another against what the others stored): its unfinished jobs
/// against the plan's <see cref="Plan.MaxInProgress"/> (under <see cref="Overflow.Reject"/>) or that plus
/// <see cref="Plan.MaxQueued"/> (under <see cref="Overflow.Queue"/>), and the month's charges plus what its unfinished
/// jobs hold plus the new estimates against <see cref="Plan.MonthlyBudgetMicros"/>. A refusal throws, which rolls the
/// create back: the job, its reserve and its idempotency key are never stored. Runs before the ledger, so the new
/// jobs hold nothing yet.
/// </summary>
public sealed class AccountAdmission(Plans plans, Ledger ledger) : IJobEffect
{
    // The new jobs are already inserted (effects run after the rows change), so the count includes them.
    private const string OpenSql =
        $"SELECT COUNT(*), COALESCE(SUM(l.amount_micros), 0), " +
        "(SELECT COALESCE(MAX(charged_micros), 0) FROM account_months WHERE account_id = @account_id AND month = @month) " +
        $"FROM jobs j LEFT JOIN ledger_entries l ON l.job_id = j.id AND l.kind = 'reserve' " +
        $"WHERE j.{SqlJobStore.Unfinished} AND j.account_id = @account_id;";

    public bool AppliesTo(JobTransitionKind kind) => kind == JobTransitionKind.Created;

    public Task ApplyAsync(JobTransition transition, SqlSession session, CancellationToken cancellationToken) =>
        ApplyAllAsync([transition], session, cancellationToken);

    public async Task ApplyAllAsync(IReadOnlyList<JobTransition> transitions, SqlSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(session);
        var accounts = transitions.GroupBy(t => t.Job.AccountId, StringComparer.Ordinal).ToArray();
        var accountPlans = await plans.LockAsync(session, [.. accounts.Select(a => a.Key)], transitions[0].Job.CreatedAt, cancellationToken);
        foreach (var account in accounts)
        {
            var plan = accountPlans[account.Key];
            var now = account.First().Job.CreatedAt;
            var open = await session.QueryAsync(
                OpenSql,
                c =>
                {
                    c.Text("@account_id", account.Key);
                    c.Text("@month", Ledger.Month(now));
                },
                r => (Count: r.GetInt64(0), HeldMicros: r.GetInt64(1), ChargedMicros: r.GetInt64(2)),
                cancellationToken);
            var (count, held, charged) = open[0];
            if (Refusal(plan, count, charged + held + account.Sum(t => ledger.EstimateMicros(t.Job.Request))) is { } refusal)
            {
                throw new SeedgateException(refusal);
            }
        }
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
                $"This task would take the account past its monthly budget of ${plan.MonthlyBudgetUsd} (spent and reserved this month " +
                "with this task's estimate): it was not accepted.");
        }

        return null;
    }
}
