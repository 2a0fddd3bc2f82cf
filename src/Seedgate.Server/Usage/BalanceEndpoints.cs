using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Seedgate.Core.Accounts;
using Seedgate.Server.Auth;
using Seedgate.Server.Dialects;
using static Seedgate.Server.Usage.AccountApi;

namespace Seedgate.Server.Usage;

/// <summary>
/// <c>GET /v1/balance</c>: the caller's money from the ledger — charged this calendar month (UTC), held now by its
/// unfinished jobs, the budget left, the month's free quota, and its credits (top-ups and adjustments) less every
/// charge — in micro-dollars and in dollars. Seedgate's own route, with the
/// neutral error body.
/// </summary>
internal static class BalanceEndpoints
{
    public const string Path = "/v1/balance";

    public static IEndpointRouteBuilder MapBalance(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, GetAsync).ForCallersAccount();
        return app;
    }

    private static async Task<IResult> GetAsync(HttpContext context, IAccountStore accounts, Plans plans, TimeProvider time)
    {
        var account = AccountFilter.AccountOf(context);
        var plan = await accounts.GetAccountAsync(account, context.RequestAborted) is { } row ? plans.Resolve(row.Plan, row.Overrides) : plans.Default;
        return Results.Json(await BalanceSummary.ReadAsync(accounts, account, plan, time.GetUtcNow(), context.RequestAborted), DialectJson.Options);
    }
}

/// <summary>An account's money as <c>GET /v1/balance</c> (and the admin API's account view) shows it, in micro-dollars and dollars.</summary>
internal sealed record BalanceSummary(
    string AccountId,
    DateTimeOffset PeriodStart,
    long ChargedMicros,
    decimal? ChargedUsd,
    long ReservedMicros,
    decimal? ReservedUsd,
    long? BudgetMicros,
    decimal? BudgetUsd,
    long? BudgetLeftMicros,
    decimal? BudgetLeftUsd,
    int FreeFastUsed,
    int FreeFastLeft,
    long CreditMicros,
    decimal? CreditUsd,
    long BalanceMicros,
    decimal? BalanceUsd)
{
    /// <summary>The account's money this calendar month (UTC) under <paramref name="plan"/>, from the ledger.</summary>
    public static async Task<BalanceSummary> ReadAsync(
        IAccountStore accounts, string accountId, Plan plan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var balance = await accounts.GetBalanceAsync(accountId, month, cancellationToken);
        var budget = plan.MonthlyBudgetMicros;
        long? budgetLeft = budget is { } cap ? Math.Max(cap - balance.ChargedMicros - balance.ReservedMicros, 0) : null;
        var credit = balance.CreditMicros - balance.ChargedAllTimeMicros;
        return new BalanceSummary(
            accountId,
            month,
            balance.ChargedMicros,
            Usd(balance.ChargedMicros),
            balance.ReservedMicros,
            Usd(balance.ReservedMicros),
            budget,
            Usd(budget),
            budgetLeft,
            Usd(budgetLeft),
            balance.FreeFastUsed,
            Math.Max(plan.FreeFastPerMonth - balance.FreeFastUsed, 0),
            balance.CreditMicros,
            Usd(balance.CreditMicros),
            credit,
            Usd(credit));
    }
}
