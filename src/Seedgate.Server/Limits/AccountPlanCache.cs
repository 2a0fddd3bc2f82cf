using Seedgate.Core.Accounts;
using Seedgate.Server.Edge;

namespace Seedgate.Server.Limits;

/// <summary>
/// The plan each account works under, as the HTTP edge needs it on every request (rate limits, max_priority): read
/// from the store at most once a second per account and node (one read shared by the requests waiting for it), so an
/// admin change reaches every node within a second. Checks that must be exact (tasks in progress, budgets, the free
/// quota) read the plan in their own transaction.
/// </summary>
internal sealed class AccountPlanCache(IAccountStore accounts, Plans plans, TimeProvider time)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);

    private readonly SharedReadCache<Plan> _plans = new(Lifetime, time);

    public ValueTask<Plan> GetAsync(string accountId, CancellationToken cancellationToken) =>
        _plans.GetAsync(accountId, () => ReadAsync(accountId), cancellationToken);

    private async Task<Plan> ReadAsync(string accountId)
    {
        var account = await accounts.GetAccountAsync(accountId, CancellationToken.None);
        return account is null ? plans.Default : plans.Resolve(account.Plan, account.Overrides);
    }
}
