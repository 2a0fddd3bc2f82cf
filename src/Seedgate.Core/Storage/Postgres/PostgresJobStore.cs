using System.Text;
using Npgsql;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Storage.Postgres;

/// <summary>
/// <see cref="IJobStore"/> on PostgreSQL, race-free across processes and nodes. Every operation is one statement:
/// the claim picks rows with <c>FOR UPDATE SKIP LOCKED</c> (concurrent claimers skip each other's rows instead of
/// waiting), and every other change names the states it may leave (and, for a worker, the lease it must hold), which
/// PostgreSQL re-checks on a row another transaction changed meanwhile. Times are stored as Unix milliseconds, as in
/// the SQLite store, so both map rows identically.
/// </summary>
public sealed class PostgresJobStore : IJobStore
{
    private static readonly string[] ColumnNames =
    [
        "id", "account_id", "status", "requested_model", "model", "engine", "request_json", "priority", "correlation_id",
        "created_at", "updated_at", "started_at", "finished_at", "expires_at", "attempts", "lease_owner", "lease_until",
        "upstream_task_id", "outputs_json", "error_code", "error_message", "error_param", "cost_micros",
    ];

    private static readonly string Columns = string.Join(", ", ColumnNames);

    // The predicate of the partial indexes, repeated so that the planner can prove it may use them.
    private const string Unfinished = "status IN ('queued', 'running')";

    /// <summary>
    /// Claimable: queued, or running with a lapsed lease (its worker died) or a due retry (no owner, lease_until =
    /// retry time). A running job without lease_until should not exist; it is claimed rather than stranded. Jobs past
    /// their expiry are left to <see cref="ExpireDueAsync"/>. The subquery walks ix_jobs_claim in claim order and locks
    /// what it picks, skipping rows another claimer has locked; a row changed by a claimer that committed meanwhile is
    /// re-checked against the predicate after the lock, so it is never taken twice. <c>= ANY (ARRAY(…))</c> rather than
    /// <c>IN (…)</c>: the array is an InitPlan, run exactly once, whereas an IN subquery may be planned as a semi-join
    /// whose inner side is rescanned, and a rescanned LIMIT … SKIP LOCKED can pick different rows.
    /// </summary>
    internal static readonly string ClaimSql =
        "UPDATE jobs SET status = 'running', lease_owner = @owner, lease_until = @lease_until, " +
        "attempts = attempts + 1, started_at = COALESCE(started_at, @now), updated_at = @now " +
        "WHERE id = ANY (ARRAY(" +
        $"SELECT id FROM jobs WHERE {Unfinished} AND expires_at > @now " +
        "AND (status = 'queued' OR lease_until IS NULL OR lease_until <= @now) " +
        "ORDER BY priority DESC, created_at, id LIMIT @max FOR UPDATE SKIP LOCKED)) " +
        $"RETURNING {Columns};";

    /// <summary>
    /// Expires due jobs. A running job whose lease is live belongs to its worker, which expires it itself. Rows locked
    /// by a concurrent statement (another node's sweep, a worker's write) are skipped, not waited for: two sweeps
    /// never deadlock, and a skipped job is taken by the next sweep if it is still due then. ARRAY: see <see cref="ClaimSql"/>.
    /// </summary>
    internal const string ExpireSql =
        "UPDATE jobs SET status = 'expired', lease_owner = NULL, lease_until = NULL, finished_at = @now, updated_at = @now " +
        "WHERE id = ANY (ARRAY(" +
        $"SELECT id FROM jobs WHERE {Unfinished} AND expires_at <= @now " +
        "AND (status = 'queued' OR lease_owner IS NULL OR lease_until IS NULL OR lease_until <= @now) " +
        "FOR UPDATE SKIP LOCKED)) " +
        "RETURNING id;";

    private static readonly string InsertSql =
        $"INSERT INTO jobs ({Columns}) VALUES ({string.Join(", ", ColumnNames.Select(c => "@" + c))});";

    private static readonly string GetSql = $"SELECT {Columns} FROM jobs WHERE id = @id;";
    private static readonly string GetForAccountSql = $"SELECT {Columns} FROM jobs WHERE id = @id AND account_id = @account_id;";

    private readonly PostgresDatabase _database;

    public PostgresJobStore(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    public async Task CreateAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await ExecuteWriteAsync(InsertSql, command => BindJob(command.Parameters, job), cancellationToken);
    }

    public async Task CreateManyAsync(IReadOnlyList<Job> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Count == 0)
        {
            return;
        }

        // One round trip; a batch runs in one implicit transaction, so it inserts all the jobs or none.
        await _database.WriteAsync(
            async connection =>
            {
                await using var batch = new NpgsqlBatch(connection);
                foreach (var job in jobs)
                {
                    var command = new NpgsqlBatchCommand(InsertSql);
                    BindJob(command.Parameters, job);
                    batch.BatchCommands.Add(command);
                }

                return await batch.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public async Task<Job?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var jobs = await ReadJobsAsync(GetSql, p => p.Text("id", id), cancellationToken);
        return jobs.SingleOrDefault();
    }

    public async Task<Job?> GetForAccountAsync(string accountId, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(id);
        var jobs = await ReadJobsAsync(
            GetForAccountSql,
            p =>
            {
                p.Text("id", id);
                p.Text("account_id", accountId);
            },
            cancellationToken);
        return jobs.SingleOrDefault();
    }

    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageNumber, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1, nameof(query));

        // Lists bind as arrays (= ANY), so there are at most eight statement texts, each prepared once per connection.
        var where = new StringBuilder("account_id = @account_id");
        if (query.Statuses.Count > 0)
        {
            where.Append(" AND status = ANY (@statuses)");
        }

        if (query.Models.Count > 0)
        {
            where.Append(" AND (requested_model = ANY (@models) OR model = ANY (@models))");
        }

        if (query.Ids.Count > 0)
        {
            where.Append(" AND id = ANY (@ids)");
        }

        // One statement, so the total and the page come from the same snapshot; the count row is there even when the
        // page is empty (its job columns are then null).
        var sql =
            $"SELECT t.total, {string.Join(", ", ColumnNames.Select(c => "j." + c))} " +
            $"FROM (SELECT COUNT(*) AS total FROM jobs WHERE {where}) t " +
            $"LEFT JOIN LATERAL (SELECT {Columns} FROM jobs WHERE {where} " +
            "ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset) j ON true " +
            "ORDER BY j.created_at DESC, j.id DESC;";

        return await _database.ReadAsync(
            async connection =>
            {
#pragma warning disable CA2100 // Built only from this method's constant fragments; every value is a parameter.
                await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
                var p = command.Parameters;
                p.Text("account_id", query.AccountId);
                if (query.Statuses.Count > 0)
                {
                    p.TextArray("statuses", query.Statuses.Select(JobStatusRules.Name).ToArray());
                }

                if (query.Models.Count > 0)
                {
                    p.TextArray("models", query.Models.ToArray());
                }

                if (query.Ids.Count > 0)
                {
                    p.TextArray("ids", query.Ids.ToArray());
                }

                p.Integer("limit", query.PageSize);
                p.Bigint("offset", ((long)query.PageNumber - 1) * query.PageSize);

                long total = 0;
                var items = new List<Job>();
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    total = reader.GetInt64(0);
                    if (!await reader.IsDBNullAsync(1, cancellationToken))
                    {
                        items.Add(JobRows.Read(reader, 1));
                    }
                }

                return new JobPage(total, items);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<Job>> ClaimAsync(
        string owner, int max, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        if (max <= 0)
        {
            return [];
        }

        var claimed = await _database.WriteAsync(
            connection => ReadJobsAsync(
                connection,
                ClaimSql,
                p =>
                {
                    p.Text("owner", owner);
                    p.Bigint("now", JobRows.Millis(now));
                    p.Bigint("lease_until", JobRows.Millis(now + lease));
                    p.Integer("max", max);
                },
                cancellationToken),
            cancellationToken);

        // RETURNING gives rows in no promised order.
        return claimed
            .OrderByDescending(j => j.Request.Priority)
            .ThenBy(j => j.CreatedAt)
            .ThenBy(j => j.Id, StringComparer.Ordinal)
            .ToList();
    }

    public Task<bool> RenewLeaseAsync(string id, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        UpdateHeldAsync(id, owner, "lease_until = @lease_until", p => p.Bigint("lease_until", JobRows.Millis(leaseUntil)), cancellationToken);

    public Task<bool> CompleteAsync(
        string id, string owner, JobOutputs outputs, long costMicros, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        return UpdateHeldAsync(
            id,
            owner,
            "status = 'succeeded', outputs_json = @outputs_json, cost_micros = @cost_micros, " +
            "error_code = NULL, error_message = NULL, error_param = NULL, " +
            "lease_owner = NULL, lease_until = NULL, finished_at = @now, updated_at = @now",
            p =>
            {
                p.Text("outputs_json", JobJson.Serialize(outputs));
                p.Bigint("cost_micros", costMicros);
                p.Bigint("now", JobRows.Millis(now));
            },
            cancellationToken);
    }

    public async Task<IReadOnlySet<string>> CompleteManyAsync(
        IReadOnlyList<JobCompletion> completions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completions);
        if (completions.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        // One statement for the whole batch; each row still completes only where its owner holds the lease.
        var ids = await _database.WriteAsync(
            async connection =>
            {
                await using var command = new NpgsqlCommand(CompleteManySql, connection);
                command.Parameters.TextArray("ids", [.. completions.Select(c => c.Id)]);
                command.Parameters.TextArray("owners", [.. completions.Select(c => c.Owner)]);
                command.Parameters.TextArray("outputs", [.. completions.Select(c => JobJson.Serialize(c.Outputs))]);
                command.Parameters.Add(new NpgsqlParameter<long[]>("costs", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Bigint)
                {
                    TypedValue = [.. completions.Select(c => c.CostMicros)],
                });
                command.Parameters.Bigint("now", JobRows.Millis(now));
                var completed = new HashSet<string>(StringComparer.Ordinal);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    completed.Add(reader.GetString(0));
                }

                return completed;
            },
            cancellationToken);
        return ids;
    }

    private const string CompleteManySql =
        "UPDATE jobs SET status = 'succeeded', outputs_json = c.outputs, cost_micros = c.cost, " +
        "error_code = NULL, error_message = NULL, error_param = NULL, " +
        "lease_owner = NULL, lease_until = NULL, finished_at = @now, updated_at = @now " +
        "FROM unnest(@ids, @owners, @outputs, @costs) AS c(id, owner, outputs, cost) " +
        "WHERE jobs.id = c.id COLLATE \"C\" AND jobs.status = 'running' AND jobs.lease_owner = c.owner " +
        "RETURNING jobs.id;";

    public Task<bool> FailAsync(
        string id, string owner, JobStatus status, JobError error, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (status is not (JobStatus.Failed or JobStatus.Expired))
        {
            throw new ArgumentException($"A job can only fail as failed or expired, not {JobStatusRules.Name(status)}.", nameof(status));
        }

        ArgumentNullException.ThrowIfNull(error);
        return UpdateHeldAsync(
            id,
            owner,
            "status = @status, error_code = @error_code, error_message = @error_message, error_param = @error_param, " +
            "lease_owner = NULL, lease_until = NULL, finished_at = @now, updated_at = @now",
            p =>
            {
                p.Text("status", JobStatusRules.Name(status));
                AddError(p, error);
                p.Bigint("now", JobRows.Millis(now));
            },
            cancellationToken);
    }

    public Task<bool> ScheduleRetryAsync(
        string id, string owner, JobError error, DateTimeOffset retryAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        return UpdateHeldAsync(
            id,
            owner,
            "lease_owner = NULL, lease_until = @retry_at, " +
            "error_code = @error_code, error_message = @error_message, error_param = @error_param, updated_at = @now",
            p =>
            {
                p.Bigint("retry_at", JobRows.Millis(retryAt));
                AddError(p, error);
                p.Bigint("now", JobRows.Millis(now));
            },
            cancellationToken);
    }

    public Task<bool> SetUpstreamTaskIdAsync(
        string id, string owner, string upstreamTaskId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(upstreamTaskId);
        return UpdateHeldAsync(
            id,
            owner,
            "upstream_task_id = @upstream_task_id, updated_at = @now",
            p =>
            {
                p.Text("upstream_task_id", upstreamTaskId);
                p.Bigint("now", JobRows.Millis(now));
            },
            cancellationToken);
    }

    public async Task<bool> CancelQueuedAsync(string accountId, string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(id);
        var changed = await ExecuteWriteAsync(
            "UPDATE jobs SET status = 'cancelled', finished_at = @now, updated_at = @now " +
            "WHERE id = @id AND account_id = @account_id AND status = 'queued';",
            command =>
            {
                command.Parameters.Text("id", id);
                command.Parameters.Text("account_id", accountId);
                command.Parameters.Bigint("now", JobRows.Millis(now));
            },
            cancellationToken);
        return changed == 1;
    }

    public async Task<bool> DeleteTerminalAsync(string accountId, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(id);

        // Cancelled jobs stay, as on Ark.
        var deleted = await ExecuteWriteAsync(
            "DELETE FROM jobs WHERE id = @id AND account_id = @account_id AND status IN ('succeeded', 'failed', 'expired');",
            command =>
            {
                command.Parameters.Text("id", id);
                command.Parameters.Text("account_id", accountId);
            },
            cancellationToken);
        return deleted == 1;
    }

    public async Task<IReadOnlyList<string>> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = await _database.WriteAsync(
            async connection =>
            {
                await using var command = new NpgsqlCommand(ExpireSql, connection);
                command.Parameters.Bigint("now", JobRows.Millis(now));
                var expired = new List<string>();
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    expired.Add(reader.GetString(0));
                }

                return expired;
            },
            cancellationToken);
        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    public async Task<int> ReleaseLeasesAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);

        // The owner stays recorded until another claim takes the job; only the lease ends.
        return await ExecuteWriteAsync(
            "UPDATE jobs SET lease_until = @now WHERE status = 'running' AND lease_owner = @owner;",
            command =>
            {
                command.Parameters.Text("owner", owner);
                command.Parameters.Bigint("now", JobRows.Millis(now));
            },
            cancellationToken);
    }

    /// <summary>One UPDATE of a job the owner holds (running, leased to it); true when it changed.</summary>
    private async Task<bool> UpdateHeldAsync(
        string id, string owner, string assignments, Action<NpgsqlParameterCollection> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var changed = await ExecuteWriteAsync(
            $"UPDATE jobs SET {assignments} WHERE id = @id AND status = 'running' AND lease_owner = @owner;",
            command =>
            {
                command.Parameters.Text("id", id);
                command.Parameters.Text("owner", owner);
                parameters(command.Parameters);
            },
            cancellationToken);
        return changed == 1;
    }

    /// <summary>One statement (autocommit); the rows it changed.</summary>
    private Task<int> ExecuteWriteAsync(string sql, Action<NpgsqlCommand> bind, CancellationToken cancellationToken) =>
        _database.WriteAsync(
            async connection =>
            {
#pragma warning disable CA2100 // Only this store's constant SQL texts come here; values are bound as parameters.
                await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
                bind(command);
                return await command.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);

    private Task<List<Job>> ReadJobsAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken) =>
        _database.ReadAsync(connection => ReadJobsAsync(connection, sql, bind, cancellationToken), cancellationToken);

    private static async Task<List<Job>> ReadJobsAsync(
        NpgsqlConnection connection, string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken)
    {
#pragma warning disable CA2100 // Only this store's constant SQL texts come here; values are bound as parameters.
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        bind(command.Parameters);
        var jobs = new List<Job>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(JobRows.Read(reader));
        }

        return jobs;
    }

    private static void BindJob(NpgsqlParameterCollection p, Job job)
    {
        p.Text("id", job.Id);
        p.Text("account_id", job.AccountId);
        p.Text("status", JobStatusRules.Name(job.Status));
        p.Text("requested_model", job.RequestedModel);
        p.Text("model", job.Request.Model);
        p.Text("engine", job.Engine);
        p.Text("request_json", JobJson.Serialize(job.Request));
        p.Integer("priority", job.Request.Priority);
        p.Text("correlation_id", job.CorrelationId);
        p.Bigint("created_at", JobRows.Millis(job.CreatedAt));
        p.Bigint("updated_at", JobRows.Millis(job.UpdatedAt));
        p.Bigint("started_at", JobRows.Millis(job.StartedAt));
        p.Bigint("finished_at", JobRows.Millis(job.FinishedAt));
        p.Bigint("expires_at", JobRows.Millis(job.ExpiresAt));
        p.Integer("attempts", job.Attempts);
        p.Text("lease_owner", job.LeaseOwner);
        p.Bigint("lease_until", JobRows.Millis(job.LeaseUntil));
        p.Text("upstream_task_id", job.UpstreamTaskId);
        p.Text("outputs_json", job.Outputs is null ? null : JobJson.Serialize(job.Outputs));
        p.Text("error_code", job.Error?.Code);
        p.Text("error_message", job.Error?.Message);
        p.Text("error_param", job.Error?.Param);
        p.Bigint("cost_micros", job.CostMicros);
    }

    private static void AddError(NpgsqlParameterCollection p, JobError error)
    {
        p.Text("error_code", error.Code);
        p.Text("error_message", error.Message);
        p.Text("error_param", error.Param);
    }
}
