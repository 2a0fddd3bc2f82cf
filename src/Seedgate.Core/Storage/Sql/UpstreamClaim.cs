using Seedgate.Core.Jobs;
using Seedgate.Core.Upstream;

namespace Seedgate.Core.Storage.Sql;

/// <summary>
/// The claim of jobs that upstream accounts run (see <see cref="IJobStore.ClaimAsync(string, ClaimCapacity, DateTimeOffset, TimeSpan, IRunningCaps?, UpstreamLanes?, CancellationToken)"/>),
/// inside the claim's transaction, which claims take in turns across nodes. Slots are rows of <c>upstream_tasks</c>:
/// <c>held</c> and <c>submitted</c> rows are an account's tasks in flight. Scarce slots are shared fairly: each goes
/// to the waiting job whose Seedgate account has the fewest tasks in flight per unit of its plan's weight, then by
/// priority and age within the account (each account's own order).
/// </summary>
internal static class UpstreamClaim
{
    private const string Slotted = "EXISTS (SELECT 1 FROM upstream_tasks t WHERE t.job_id = jobs.id)";

    public static async Task<List<Job>> ClaimAsync(
        SqlSession session, string owner, int max, DateTimeOffset now, TimeSpan lease, IRunningCaps? caps, UpstreamLanes lanes, CancellationToken cancellationToken)
    {
        var engines = $"engine IN ({SqlParameters.Placeholders("e", UpstreamLanes.Engines.Count)})";
        void Bind(System.Data.Common.DbCommand c)
        {
            c.Bigint("@now", JobRows.Millis(now));
            c.TextEach("e", UpstreamLanes.Engines);
        }

        // Jobs that hold their slot go on whatever the room: their task is in flight (or done and to be collected).
        var resumed = await session.QueryAsync(
            $"SELECT id FROM jobs WHERE {JobStatements.Claimable} AND {engines} AND {Slotted} ORDER BY priority DESC, created_at, id LIMIT @max;",
            c =>
            {
                Bind(c);
                c.Int4("@max", max);
            },
            r => r.GetString(0),
            cancellationToken);
        var taken = await SqlJobStore.TakeAsync(session, owner, resumed, now, lease, cancellationToken);

        var room = await LaneRoomAsync(session, lanes, now, cancellationToken);
        var free = room.Values.Sum();
        if (taken.Count >= max || free <= 0)
        {
            return taken;
        }

        // Each account's first jobs in its own order: enough of every account for the free slots to go round.
        var turns = Math.Min(free, max - taken.Count);
        var candidates = await session.QueryAsync(
            "SELECT id, account_id, model FROM (SELECT id, account_id, model, priority, created_at, " +
            "ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY priority DESC, created_at, id) AS turn " +
            $"FROM jobs WHERE {JobStatements.Claimable} AND {engines} AND NOT {Slotted}) AS waiting " +
            "WHERE turn <= @turns ORDER BY turn, priority DESC, created_at, id;",
            c =>
            {
                Bind(c);
                c.Int4("@turns", turns);
            },
            r => new Candidate(r.GetString(0), r.GetString(1), r.GetString(2)),
            cancellationToken);
        if (candidates.Count == 0)
        {
            return taken;
        }

        var accounts = candidates.Select(c => c.AccountId).Distinct(StringComparer.Ordinal).ToArray();
        var accountRoom = await SqlJobStore.RoomAsync(session, accounts, caps, cancellationToken);
        var weights = caps is null
            ? accounts.ToDictionary(a => a, _ => 1, StringComparer.Ordinal)
            : new Dictionary<string, int>(await caps.WeightsAsync(session, accounts, cancellationToken), StringComparer.Ordinal);
        var flying = await UpstreamTaskStore.AccountsInFlightAsync(session, accounts, cancellationToken);
        var lastStart = await LastStartsAsync(session, accounts, cancellationToken);

        var starts = new List<(string JobId, string Lane, string Model)>();
        while (starts.Count < turns)
        {
            Candidate? best = null;
            string? bestLane = null;
            foreach (var candidate in candidates)
            {
                if (candidate.Picked || accountRoom[candidate.AccountId] <= 0 || (best is not null && !Before(candidate.AccountId, best.AccountId)))
                {
                    continue;
                }

                if (lanes.Serving(candidate.Model).FirstOrDefault(l => room.GetValueOrDefault(l.Name) > 0) is { } lane)
                {
                    (best, bestLane) = (candidate, lane.Name);
                }
            }

            if (best is null)
            {
                break;
            }

            best.Picked = true;
            accountRoom[best.AccountId]--;
            room[bestLane!]--;
            flying[best.AccountId] = flying.GetValueOrDefault(best.AccountId) + 1;
            lastStart[best.AccountId] = JobRows.Millis(now) + starts.Count; // later picks of this claim count as later
            starts.Add((best.Id, bestLane!, best.Model));
        }

        var started = await SqlJobStore.TakeAsync(session, owner, [.. starts.Select(s => s.JobId)], now, lease, cancellationToken);
        var startOf = starts.ToDictionary(s => s.JobId, StringComparer.Ordinal);
        await session.ExecuteEachAsync(
            "INSERT INTO upstream_tasks (job_id, upstream, model, state, polled_at, since) VALUES (@job_id, @upstream, @model, 'held', 0, @now);",
            started,
            (c, job) =>
            {
                c.Text("@job_id", job.Id);
                c.Text("@upstream", startOf[job.Id].Lane);
                c.Text("@model", startOf[job.Id].Model);
                c.Bigint("@now", JobRows.Millis(now));
            },
            cancellationToken);
        await session.ExecuteEachAsync(
            "INSERT INTO upstream_turns (account_id, last_start) VALUES (@account_id, @last_start) " +
            "ON CONFLICT (account_id) DO UPDATE SET last_start = @last_start;",
            [.. started.Select(j => j.AccountId).Distinct(StringComparer.Ordinal)],
            (c, account) =>
            {
                c.Text("@account_id", account);
                c.Bigint("@last_start", lastStart[account]);
            },
            cancellationToken);
        taken.AddRange(started);
        return taken;

        // Fewer tasks in flight per unit of weight first; between equals, the account served longest ago (candidates
        // are in each account's own order, so the first of an account is its next job).
        bool Before(string candidate, string best)
        {
            var (a, b) = (Share(candidate), Share(best));
            return a < b || (a == b && lastStart.GetValueOrDefault(candidate, long.MinValue) < lastStart.GetValueOrDefault(best, long.MinValue));
        }

        double Share(string accountId) => (double)flying.GetValueOrDefault(accountId) / Math.Max(1, weights.GetValueOrDefault(accountId, 1));
    }

    private static async Task<Dictionary<string, long>> LastStartsAsync(SqlSession session, string[] accountIds, CancellationToken cancellationToken) =>
        (await session.QueryAsync(
            $"SELECT account_id, last_start FROM upstream_turns WHERE account_id IN ({SqlParameters.Placeholders("a", accountIds.Length)});",
            c => c.TextEach("a", accountIds),
            r => (AccountId: r.GetString(0), At: r.GetInt64(1)),
            cancellationToken)).ToDictionary(r => r.AccountId, r => r.At, StringComparer.Ordinal);

    /// <summary>Free slots of each upstream account this node submits to now (those cooling down after an overload get none).</summary>
    private static async Task<Dictionary<string, int>> LaneRoomAsync(
        SqlSession session, UpstreamLanes lanes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var busy = (await session.QueryAsync(
            UpstreamTaskStore.InFlightByUpstreamSql,
            _ => { },
            r => (Lane: r.GetString(0), Count: (int)r.GetInt64(1)),
            cancellationToken)).ToDictionary(r => r.Lane, r => r.Count, StringComparer.Ordinal);
        return lanes.All.ToDictionary(
            l => l.Name,
            l => lanes.IsCooling(l.Name, now) ? 0 : Math.Max(0, l.TasksInFlight - busy.GetValueOrDefault(l.Name)),
            StringComparer.Ordinal);
    }

    private sealed record Candidate(string Id, string AccountId, string Model)
    {
        public bool Picked { get; set; }
    }
}
