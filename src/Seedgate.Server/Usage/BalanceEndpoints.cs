using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Seedgate.Core.Accounts;
using Seedgate.Server.Auth;
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
        var now = time.GetUtcNow();
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var balance = await accounts.GetBalanceAsync(account, month, context.RequestAborted);
        var plan = await accounts.GetAccountAsync(account, context.RequestAborted) is { } row ? plans.Resolve(row.Plan, row.Overrides) : plans.Default;
        var budget = plan.MonthlyBudgetMicros;
        long? budgetLeft = budget is { } cap ? Math.Max(cap - balance.ChargedMicros - balance.ReservedMicros, 0) : null;
        var credit = balance.CreditMicros - balance.ChargedAllTimeMicros;
        return Results.Json(new
        {
            account_id = account,
            period_start = month,
            charged_micros = balance.ChargedMicros,
            charged_usd = Usd(balance.ChargedMicros),
            reserved_micros = balance.ReservedMicros,
            reserved_usd = Usd(balance.ReservedMicros),
            budget_micros = budget,
            budget_usd = Usd(budget),
            budget_left_micros = budgetLeft,
            budget_left_usd = Usd(budgetLeft),
            free_fast_used = balance.FreeFastUsed,
            free_fast_left = Math.Max(plan.FreeFastPerMonth - balance.FreeFastUsed, 0),
            credit_micros = balance.CreditMicros,
            credit_usd = Usd(balance.CreditMicros),
            balance_micros = credit,
            balance_usd = Usd(credit),
        });
    }
}
