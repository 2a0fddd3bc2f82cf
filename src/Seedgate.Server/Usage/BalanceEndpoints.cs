using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Seedgate.Core.Accounts;
using Seedgate.Server.Auth;
using Seedgate.Server.Dialects;

namespace Seedgate.Server.Usage;

/// <summary>
/// <c>GET /v1/balance</c>: the caller's money from the ledger — charged this calendar month (UTC), held now by its
/// unfinished jobs, and the month's free quota — in micro-dollars and in dollars. Seedgate's own route, with the
/// neutral error body.
/// </summary>
internal static class BalanceEndpoints
{
    public const string Path = "/v1/balance";

    public static IEndpointRouteBuilder MapBalance(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, GetAsync)
            .AddEndpointFilter(new DialectErrorFilter(NeutralErrors.Instance))
            .AddEndpointFilter(new AccountFilter(NeutralErrors.Instance));
        return app;
    }

    private static async Task<IResult> GetAsync(HttpContext context, IAccountStore accounts, Ledger ledger, TimeProvider time)
    {
        var account = AccountFilter.AccountOf(context);
        var now = time.GetUtcNow();
        var month = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var balance = await accounts.GetBalanceAsync(account, month, context.RequestAborted);
        return Results.Json(new
        {
            account_id = account,
            period_start = month,
            charged_micros = balance.ChargedMicros,
            charged_usd = balance.ChargedMicros / 1_000_000m,
            reserved_micros = balance.ReservedMicros,
            reserved_usd = balance.ReservedMicros / 1_000_000m,
            free_fast_used = balance.FreeFastUsed,
            free_fast_left = Math.Max(ledger.FreeFastPerMonth - balance.FreeFastUsed, 0),
        });
    }
}
