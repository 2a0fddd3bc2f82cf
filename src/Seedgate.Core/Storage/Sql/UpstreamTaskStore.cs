using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Postgres;
using Seedgate.Core.Storage.Sqlite;

namespace Seedgate.Core.Storage.Sql;

/// <summary>One job's upstream task as every node sees it (a row of <c>upstream_tasks</c>).</summary>
/// <param name="State"><c>held</c> (a slot, the create not acknowledged), <c>submitted</c> or <c>done</c>.</param>
/// <param name="Body">The upstream's task object once it ended (by callback or poll).</param>
public sealed record UpstreamTaskRow(string JobId, string Upstream, string Model, string State, string? TaskId, string? Body, DateTimeOffset Since);

/// <summary>A task whose status this node asks for now, on behalf of every job waiting on the account.</summary>
public sealed record UpstreamPoll(string JobId, string TaskId, string Model, DateTimeOffset Since);

/// <summary>
/// The upstream tasks in flight (<c>upstream_tasks</c>, one SQL source for both providers): slots are taken by the
/// claim (<see cref="UpstreamClaim"/>); this store records what the engine, callbacks and polls learn, and frees a slot
/// the moment its task is known to have ended, so the next job can start. A job whose task ended while it waited is
/// woken at once.
/// </summary>
public sealed class UpstreamTaskStore
{
    /// <summary>The rows that are tasks in flight (a slot taken): held or submitted, not done.</summary>
    internal const string InFlight = "state IN ('held', 'submitted')";

    /// <summary>Tasks in flight per upstream account: (upstream, count) rows.</summary>
    internal const string InFlightByUpstreamSql = $"SELECT upstream, COUNT(*) FROM upstream_tasks WHERE {InFlight} GROUP BY upstream;";

    private const string Wake =
        "UPDATE jobs SET lease_until = @now WHERE id = @job_id AND status = 'running' AND lease_owner IS NULL AND lease_until > @now;";

    private readonly ISqlDatabase _database;

    public UpstreamTaskStore(SqliteDatabase database)
        : this((ISqlDatabase)database)
    {
    }

    public UpstreamTaskStore(PostgresDatabase database)
        : this((ISqlDatabase)database)
    {
    }

    internal UpstreamTaskStore(ISqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    public Task<UpstreamTaskRow?> GetAsync(string jobId, CancellationToken cancellationToken) =>
        _database.ReadAsync(
            async session => (await session.QueryAsync(
                "SELECT job_id, upstream, model, state, task_id, body, since FROM upstream_tasks WHERE job_id = @job_id;",
                c => c.Text("@job_id", jobId),
                r => new UpstreamTaskRow(
                    r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4),
                    r.IsDBNull(5) ? null : r.GetString(5), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(6))),
                cancellationToken)).SingleOrDefault(),
            cancellationToken);

    /// <summary>
    /// The create was acknowledged: the job (held by <paramref name="owner"/>) records the task id in its checkpoint and
    /// its slot row, together. False when the job is no longer held.
    /// </summary>
    public Task<bool> SubmittedAsync(string jobId, string owner, EngineCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return _database.WriteAsync(
            async session =>
            {
                var held = await session.ExecuteAsync(
                    "UPDATE jobs SET checkpoint = @checkpoint, upstream_task_id = @task_id, updated_at = @now " +
                    "WHERE id = @job_id AND status = 'running' AND lease_owner = @owner;",
                    c =>
                    {
                        c.Text("@checkpoint", checkpoint.State);
                        c.Text("@task_id", checkpoint.UpstreamTaskId);
                        c.Bigint("@now", JobRows.Millis(now));
                        c.Text("@job_id", jobId);
                        c.Text("@owner", owner);
                    },
                    cancellationToken) == 1;
                if (held)
                {
                    // A callback may have told of the end already: done stays done.
                    await session.ExecuteAsync(
                        "UPDATE upstream_tasks SET task_id = @task_id, state = CASE WHEN state = 'done' THEN 'done' ELSE 'submitted' END " +
                        "WHERE job_id = @job_id;",
                        c =>
                        {
                            c.Text("@task_id", checkpoint.UpstreamTaskId);
                            c.Text("@job_id", jobId);
                        },
                        cancellationToken);
                }

                return held;
            },
            cancellationToken);
    }

    /// <summary>
    /// Nothing runs upstream (the create was refused, or the task failed): the job gives its slot back and starts over
    /// (no checkpoint), so a later attempt takes a slot again on whichever account has one, and may move to its fallback
    /// model. False when the job is no longer held.
    /// </summary>
    public Task<bool> ReleaseAsync(string jobId, string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(
            async session =>
            {
                var held = await session.ExecuteAsync(
                    "UPDATE jobs SET checkpoint = NULL, updated_at = @now WHERE id = @job_id AND status = 'running' AND lease_owner = @owner;",
                    c =>
                    {
                        c.Bigint("@now", JobRows.Millis(now));
                        c.Text("@job_id", jobId);
                        c.Text("@owner", owner);
                    },
                    cancellationToken) == 1;
                if (held)
                {
                    await session.ExecuteAsync("DELETE FROM upstream_tasks WHERE job_id = @job_id;", c => c.Text("@job_id", jobId), cancellationToken);
                }

                return held;
            },
            cancellationToken);

    /// <summary>
    /// What a callback or a poll told of a job's task: its id (kept when the row had none: a create whose answer was
    /// lost; never the job's previous task), and, when it ended, its body — which frees the slot and wakes the job. A
    /// report about another task than the row's is ignored. True when the row changed.
    /// </summary>
    public async Task<bool> ObservedAsync(string jobId, string taskId, string? endedBody, DateTimeOffset now, CancellationToken cancellationToken) =>
        await ObservedAsync([new UpstreamObservation(jobId, taskId, endedBody)], now, cancellationToken) > 0;

    /// <summary>Records several observations in one write (a batched poll); how many rows changed.</summary>
    public Task<int> ObservedAsync(IReadOnlyList<UpstreamObservation> observations, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observations);
        if (observations.Count == 0)
        {
            return Task.FromResult(0);
        }

        return _database.WriteAsync(
            async session =>
            {
                var changed = 0;
                foreach (var seen in observations)
                {
                    var rows = await session.ExecuteAsync(
                        "UPDATE upstream_tasks SET task_id = @task_id, " +
                        "state = CASE WHEN @ended = 1 THEN 'done' WHEN state = 'held' THEN 'submitted' ELSE state END, " +
                        "body = CASE WHEN @ended = 1 THEN @body ELSE body END " +
                        "WHERE job_id = @job_id AND state <> 'done' AND (task_id = @task_id OR (task_id IS NULL AND NOT EXISTS " +
                        // A row without a task adopts the one reported, but never the job's previous task (a late report
                        // of a long take's last segment, or of the attempt before a retry).
                        "(SELECT 1 FROM jobs j WHERE j.id = @job_id AND j.upstream_task_id = @task_id)));",
                        c =>
                        {
                            c.Text("@task_id", seen.TaskId);
                            c.Int4("@ended", seen.EndedBody is null ? 0 : 1);
                            c.Text("@body", seen.EndedBody);
                            c.Text("@job_id", seen.JobId);
                        },
                        cancellationToken);
                    if (rows == 1 && seen.EndedBody is not null)
                    {
                        await session.ExecuteAsync(
                            Wake,
                            c =>
                            {
                                c.Bigint("@now", JobRows.Millis(now));
                                c.Text("@job_id", seen.JobId);
                            },
                            cancellationToken);
                    }

                    changed += rows;
                }

                return changed;
            },
            cancellationToken);
    }

    /// <summary>
    /// Takes the account's submitted tasks whose status nobody asked for since <paramref name="polledBefore"/> (at most
    /// <paramref name="max"/>, longest unasked first) and marks them asked now: one status request covers them all, and
    /// no other node asks for them again meanwhile.
    /// </summary>
    public Task<List<UpstreamPoll>> TakeDueForPollAsync(
        string upstream, DateTimeOffset polledBefore, DateTimeOffset now, int max, CancellationToken cancellationToken) =>
        _database.WriteOneAsync(
            session => session.QueryAsync(
                "UPDATE upstream_tasks SET polled_at = @now WHERE job_id IN (SELECT job_id FROM upstream_tasks " +
                "WHERE upstream = @upstream AND state = 'submitted' AND task_id IS NOT NULL AND polled_at <= @polled_before " +
                "ORDER BY polled_at, job_id LIMIT @max) AND polled_at <= @polled_before RETURNING job_id, task_id, model, since;",
                c =>
                {
                    c.Bigint("@now", JobRows.Millis(now));
                    c.Text("@upstream", upstream);
                    c.Bigint("@polled_before", JobRows.Millis(polledBefore));
                    c.Int4("@max", max);
                },
                r => new UpstreamPoll(r.GetString(0), r.GetString(1), r.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3))),
                cancellationToken),
            cancellationToken);

    /// <summary>Which of these upstream task ids belong to a Seedgate job already (for reconciling a lost create).</summary>
    public Task<HashSet<string>> KnownTaskIdsAsync(IReadOnlyList<string> taskIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(taskIds);
        if (taskIds.Count == 0)
        {
            return Task.FromResult(new HashSet<string>(StringComparer.Ordinal));
        }

        return _database.ReadAsync(
            async session => new HashSet<string>(
                await session.QueryAsync(
                    $"SELECT upstream_task_id FROM jobs WHERE upstream_task_id IN ({SqlParameters.Placeholders("t", taskIds.Count)}) " +
                    $"UNION SELECT task_id FROM upstream_tasks WHERE task_id IN ({SqlParameters.Placeholders("t", taskIds.Count)});",
                    c => c.TextEach("t", taskIds),
                    r => r.GetString(0),
                    cancellationToken),
                StringComparer.Ordinal),
            cancellationToken);
    }

    /// <summary>
    /// The queued upstream jobs ahead of <paramref name="job"/> in its own account's order, and for each account
    /// (its own included) how many jobs it has queued and how many tasks in flight — what the fair share weighs.
    /// </summary>
    public Task<(int OwnAhead, IReadOnlyDictionary<string, (int Queued, int Flying)> Accounts)> QueuedAroundAsync(
        Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return _database.ReadAsync(
            async session =>
            {
                var queued = await session.QueryAsync(
                    $"SELECT account_id, COUNT(*) FROM jobs WHERE status = 'queued' AND engine IN ({SqlParameters.Placeholders("e", Upstream.UpstreamLanes.Engines.Count)}) " +
                    "AND (account_id <> @account_id OR priority > @priority OR (priority = @priority AND (created_at < @created_at " +
                    "OR (created_at = @created_at AND id < @id)))) GROUP BY account_id;",
                    c =>
                    {
                        c.TextEach("e", Upstream.UpstreamLanes.Engines);
                        c.Text("@account_id", job.AccountId);
                        c.Int4("@priority", job.Request.Priority);
                        c.Bigint("@created_at", JobRows.Millis(job.CreatedAt));
                        c.Text("@id", job.Id);
                    },
                    r => (AccountId: r.GetString(0), Count: (int)r.GetInt64(1)),
                    cancellationToken);
                var flying = await AccountsInFlightAsync(session, null, cancellationToken);
                var accounts = queued.Select(q => q.AccountId).Union(flying.Keys).Append(job.AccountId).Distinct(StringComparer.Ordinal)
                    .ToDictionary(
                        a => a,
                        a => (queued.FirstOrDefault(q => q.AccountId == a).Count, flying.GetValueOrDefault(a)),
                        StringComparer.Ordinal);
                var ownAhead = accounts[job.AccountId].Item1;
                return (ownAhead, (IReadOnlyDictionary<string, (int Queued, int Flying)>)accounts);
            },
            cancellationToken);
    }

    /// <summary>Tasks in flight per Seedgate account, cluster-wide: of <paramref name="accountIds"/>, or of every account (null).</summary>
    internal static async Task<Dictionary<string, int>> AccountsInFlightAsync(
        SqlSession session, string[]? accountIds, CancellationToken cancellationToken) =>
        (await session.QueryAsync(
            $"SELECT j.account_id, COUNT(*) FROM upstream_tasks t JOIN jobs j ON j.id = t.job_id WHERE t.{InFlight} " +
            (accountIds is null ? "" : $"AND j.account_id IN ({SqlParameters.Placeholders("a", accountIds.Length)}) ") +
            "GROUP BY j.account_id;",
            c =>
            {
                if (accountIds is not null)
                {
                    c.TextEach("a", accountIds);
                }
            },
            r => (AccountId: r.GetString(0), Count: (int)r.GetInt64(1)),
            cancellationToken)).ToDictionary(r => r.AccountId, r => r.Count, StringComparer.Ordinal);

    /// <summary>Tasks in flight per upstream account, cluster-wide (held or submitted).</summary>
    public Task<Dictionary<string, int>> InFlightAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync(
            async session => (await session.QueryAsync(
                InFlightByUpstreamSql,
                _ => { },
                r => (Lane: r.GetString(0), Count: (int)r.GetInt64(1)),
                cancellationToken)).ToDictionary(r => r.Lane, r => r.Count, StringComparer.Ordinal),
            cancellationToken);
}

/// <summary>What a callback or poll told of one job's upstream task; <paramref name="EndedBody"/> is null while it runs.</summary>
public sealed record UpstreamObservation(string JobId, string TaskId, string? EndedBody);

/// <summary>
/// Frees a job's upstream task row when the job ends, in the transaction of its end. When a long take's segment
/// finishes, the job keeps its slot for the next segment: the row is held again, with no task yet.
/// </summary>
public sealed class UpstreamTaskRows : IJobEffect
{
    public bool AppliesTo(JobTransitionKind kind) =>
        kind is JobTransitionKind.Completed or JobTransitionKind.Failed or JobTransitionKind.Expired or JobTransitionKind.Cancelled
            or JobTransitionKind.Deleted or JobTransitionKind.SegmentFinished;

    public bool AppliesToCreate(Job job) => false;

    public Task ApplyAsync(JobTransition transition, SqlSession session, CancellationToken cancellationToken) =>
        ApplyAllAsync([transition], session, cancellationToken);

    public async Task ApplyAllAsync(IReadOnlyList<JobTransition> transitions, SqlSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var ids = transitions.Where(t => UpstreamLanesEngine(t.Job)).Select(t => t.Job.Id).ToArray();
        if (ids.Length == 0)
        {
            return;
        }

        var rows = $"job_id IN ({SqlParameters.Placeholders("j", ids.Length)})";
        if (transitions[0].Kind == JobTransitionKind.SegmentFinished)
        {
            await session.ExecuteAsync(
                $"UPDATE upstream_tasks SET state = 'held', task_id = NULL, body = NULL, polled_at = 0, since = @now WHERE {rows};",
                c =>
                {
                    c.TextEach("j", ids);
                    c.Bigint("@now", JobRows.Millis(transitions[0].Job.UpdatedAt));
                },
                cancellationToken);
            return;
        }

        await session.ExecuteAsync($"DELETE FROM upstream_tasks WHERE {rows};", c => c.TextEach("j", ids), cancellationToken);
    }

    private static bool UpstreamLanesEngine(Job job) => Upstream.UpstreamLanes.Engines.Contains(job.Engine);
}
