using Microsoft.AspNetCore.Builder;
using Seedgate.Server.Auth;
using Seedgate.Server.Dialects;
using Seedgate.Server.Limits;

namespace Seedgate.Server.Usage;

/// <summary>Seedgate's own routes about the caller's account (/v1/balance, /v1/usage): what they share.</summary>
internal static class AccountApi
{
    /// <summary>The caller's key is required and the plan's read rate applies; errors (a bad key, a bad parameter) answer in the neutral body.</summary>
    public static TBuilder ForCallersAccount<TBuilder>(this TBuilder route)
        where TBuilder : IEndpointConventionBuilder =>
        route.AddEndpointFilter(new DialectErrorFilter(NeutralErrors.Instance))
            .AddEndpointFilter(new AccountFilter(NeutralErrors.Instance))
            .AddEndpointFilter(new AccountLimitsFilter(NeutralErrors.Instance));

    /// <summary>Micro-dollars as dollars, exactly (decimal, never floating point).</summary>
    public static decimal? Usd(long? micros) => micros / 1_000_000m;
}
