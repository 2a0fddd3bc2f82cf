using System.Globalization;
using Microsoft.AspNetCore.Http;
using Seedgate.Core.Accounts;
using Seedgate.Core.Generation;
using Seedgate.Server.Auth;
using Seedgate.Server.Dialects;

namespace Seedgate.Server.Limits;

/// <summary>
/// After <see cref="AccountFilter"/>: finds the caller's plan and holds it to the plan's request rate, cluster-wide
/// (creates and reads have separate buckets). Every answer carries X-RateLimit-Limit (the bucket's size),
/// X-RateLimit-Remaining and X-RateLimit-Reset (seconds until the bucket is full); a refusal is a 429
/// RateLimitExceeded in the dialect's body with Retry-After. Without policies (Seedgate:Policies=false) it does nothing.
/// </summary>
internal sealed class AccountLimitsFilter(IDialectErrors errors) : IEndpointFilter
{
    private const string PlanItem = "seedgate.plan";

    /// <summary>The caller's plan, or null when policies are off.</summary>
    public static Plan? PlanOf(HttpContext context) => context.Items[PlanItem] as Plan;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.RequestServices.GetService<ClusterRateLimiter>() is not { } limiter)
        {
            return await next(context);
        }

        var account = AccountFilter.AccountOf(http);
        var plan = await http.RequestServices.GetRequiredService<AccountPlanCache>().GetAsync(account, http.RequestAborted);
        http.Items[PlanItem] = plan;
        var creates = HttpMethods.IsPost(http.Request.Method);
        var (perSecond, burst) = creates ? (plan.Qps, plan.CreateBurst) : (plan.PollQps, plan.ReadBurst);
        var decision = await limiter.AcquireAsync(
            account, creates ? ClusterRateLimiter.CreateClass : ClusterRateLimiter.PollClass, perSecond, burst, http.RequestAborted);

        var headers = http.Response.Headers;
        headers["X-RateLimit-Limit"] = burst.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = WholeSeconds(decision.Reset).ToString(CultureInfo.InvariantCulture);
        if (decision.Allowed)
        {
            return await next(context);
        }

        var retryAfter = Math.Max(1, WholeSeconds(decision.RetryAfter));
        headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        var what = creates ? "creates" : "reads";
        return errors.Result(new SeedgateError(
            ErrorCodes.RateLimitExceeded,
            string.Create(
                CultureInfo.InvariantCulture,
                $"Too many {what}: this account's plan allows {perSecond} a second (bursts of {burst}). Retry after {retryAfter} s."),
            Class: FailureClass.Transient));
    }

    private static long WholeSeconds(TimeSpan span) => (long)Math.Ceiling(Math.Max(span.TotalSeconds, 0));
}
