using System.Collections.Concurrent;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Accounts;

/// <summary>
/// The named plans of configuration, and how an account's plan is found: its plan's fields with its own overrides
/// on top. A plan named "default" always exists (the built-in defaults unless configured); an account whose plan was
/// removed from configuration falls back to it.
/// </summary>
public sealed class Plans : IRunningCaps
{
    public const string DefaultName = "default";

    private readonly Dictionary<string, Plan> _named;
    private readonly ConcurrentDictionary<(string Plan, string Overrides), Plan> _resolved = new();

    public Plans(IReadOnlyDictionary<string, Plan>? named = null)
    {
        _named = new Dictionary<string, Plan>(named ?? new Dictionary<string, Plan>(), StringComparer.Ordinal);
        _named.TryAdd(DefaultName, new Plan());
    }

    public Plan Default => _named[DefaultName];

    public IReadOnlyDictionary<string, Plan> Named => _named;

    public bool Contains(string name) => _named.ContainsKey(name);

    /// <summary>The first plan with a field out of range, as "Seedgate:Plans:name: field: why", or null.</summary>
    public string? Problem() =>
        _named.Select(p => p.Value.Problem() is { } problem ? $"Seedgate:Plans:{p.Key}: {problem}" : null).FirstOrDefault(p => p is not null);

    /// <summary>The plan an account works under: <paramref name="planName"/>'s fields with <paramref name="overrides"/> (JSON) on top.</summary>
    public Plan Resolve(string planName, string overrides)
    {
        ArgumentNullException.ThrowIfNull(planName);
        ArgumentNullException.ThrowIfNull(overrides);
        return _resolved.GetOrAdd(
            (planName, overrides), key => key.Overrides is "{}" or "" ? PlanNamed(key.Plan) : Compose(key.Plan, PlanOverrides.Parse(key.Overrides)));
    }

    /// <summary>
    /// <paramref name="planName"/>'s fields with <paramref name="overrides"/> on top, not cached: for overrides that are
    /// still being checked (an admin change), which must not fill the cache of the plans accounts work under.
    /// </summary>
    public Plan Compose(string planName, PlanOverrides overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        return PlanNamed(planName).With(overrides);
    }

    private Plan PlanNamed(string planName) => _named.GetValueOrDefault(planName) ?? Default;

    /// <summary>The plans of these accounts, read in the caller's transaction (an account without a row works under the default plan).</summary>
    internal async Task<Dictionary<string, Plan>> ReadAsync(SqlSession session, IReadOnlyList<string> accountIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(accountIds);
        var ids = accountIds.Distinct(StringComparer.Ordinal).ToArray();
        var plans = ids.ToDictionary(id => id, _ => Default, StringComparer.Ordinal);
        if (ids.Length == 0)
        {
            return plans;
        }

        var rows = await session.QueryAsync(
            $"SELECT id, plan, overrides FROM accounts WHERE id IN ({SqlParameters.Placeholders("a", ids.Length)});",
            c => c.TextEach("a", ids),
            r => (Id: r.GetString(0), Plan: r.GetString(1), Overrides: r.GetString(2)),
            cancellationToken);
        foreach (var row in rows)
        {
            plans[row.Id] = Resolve(row.Plan, row.Overrides);
        }

        return plans;
    }

    /// <summary>The accounts' <see cref="Plan.MaxInProgress"/>, for the capped claim.</summary>
    public async Task<IReadOnlyDictionary<string, int>> MaxRunningAsync(
        SqlSession session, IReadOnlyList<string> accountIds, CancellationToken cancellationToken)
    {
        var plans = await ReadAsync(session, accountIds, cancellationToken);
        return plans.ToDictionary(p => p.Key, p => p.Value.MaxInProgress, StringComparer.Ordinal);
    }

    public async Task<IReadOnlyDictionary<string, int>> WeightsAsync(
        SqlSession session, IReadOnlyList<string> accountIds, CancellationToken cancellationToken)
    {
        var plans = await ReadAsync(session, accountIds, cancellationToken);
        return plans.ToDictionary(p => p.Key, p => p.Value.Weight, StringComparer.Ordinal);
    }
}
