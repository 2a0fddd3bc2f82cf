using System.Collections.Concurrent;
using Seedgate.Core.Accounts;

namespace Seedgate.Server.Limits;

/// <summary>
/// The plan each account works under, as the HTTP edge needs it on every request (rate limits, max_priority): read
/// from the store at most once a second per account and node, so an admin change reaches every node within a second.
/// Checks that must be exact (tasks in progress, budgets, the free quota) read the plan in their own transaction.
/// </summary>
internal sealed class AccountPlanCache(IAccountStore accounts, Plans plans, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, (Plan Plan, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<Plan> GetAsync(string accountId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(accountId, out var cached) && cached.Until > now)
        {
            return cached.Plan;
        }

        var account = await accounts.GetAccountAsync(accountId, cancellationToken);
        var plan = account is null ? plans.Default : plans.Resolve(account.Plan, account.Overrides);
        _cache[accountId] = (plan, now + Lifetime);
        return plan;
    }
}
