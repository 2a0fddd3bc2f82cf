using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Storage.Sqlite;

/// <summary>
/// <see cref="IJobStore"/> on a SQLite file. Every write runs in a BEGIN IMMEDIATE transaction, serialized on
/// SQLite's single write lock, so a claim and every lease-conditional update are atomic even across processes
/// sharing the file. Times are stored as Unix milliseconds: sub-millisecond precision is dropped.
/// </summary>
public sealed class SqliteJobStore : IJobStore
{
    private const string Columns =
        "id, account_id, status, requested_model, model, engine, request_json, priority, correlation_id, " +
        "created_at, updated_at, started_at, finished_at, expires_at, attempts, lease_owner, lease_until, " +
        "upstream_task_id, outputs_json, error_code, error_message, error_param, cost_micros";

    // The predicate of the partial indexes, repeated verbatim so that the planner uses them.
    private const string Unfinished = "status IN ('queued', 'running')";

    /// <summary>
    /// Claimable: queued, or running with a lapsed lease (its worker died) or a due retry (no owner, lease_until =
    /// retry time). A running job without lease_until should not exist; it is claimed rather than stranded. Jobs past
    /// their expiry are left to <see cref="ExpireDueAsync"/>. One statement, so the choice and the update are atomic.
    /// </summary>
    internal const string ClaimSql =
        "UPDATE jobs SET status = 'running', lease_owner = @owner, lease_until = @lease_until, " +
        "attempts = attempts + 1, started_at = COALESCE(started_at, @now), updated_at = @now " +
        "WHERE id IN (" +
        $"SELECT id FROM jobs WHERE {Unfinished} AND expires_at > @now " +
        "AND (status = 'queued' OR lease_until IS NULL OR lease_until <= @now) " +
        "ORDER BY priority DESC, created_at, id LIMIT @max) " +
        $"RETURNING {Columns};";

    private const string GetSql = $"SELECT {Columns} FROM jobs WHERE id = @id;";
    private const string GetForAccountSql = $"SELECT {Columns} FROM jobs WHERE id = @id AND account_id = @account_id;";

    private readonly SqliteDatabase _database;

    public SqliteJobStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    public async Task CreateAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        await ExecuteWriteAsync(InsertSql, command => BindJob(command, job), cancellationToken);
    }

    public async Task CreateManyAsync(IReadOnlyList<Job> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);

        // One write: it commits (or rolls back) as a whole.
        await _database.WriteAsync(
            async connection =>
            {
                foreach (var job in jobs)
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = InsertSql;
                    BindJob(command, job);
                    await command.ExecuteNonQueryAsync(cancellationToken);
                }

                return jobs.Count;
            },
            cancellationToken);
    }

    private const string InsertSql =
        $"INSERT INTO jobs ({Columns}) VALUES (" +
        "@id, @account_id, @status, @requested_model, @model, @engine, @request_json, @priority, @correlation_id, " +
        "@created_at, @updated_at, @started_at, @finished_at, @expires_at, @attempts, @lease_owner, @lease_until, " +
        "@upstream_task_id, @outputs_json, @error_code, @error_message, @error_param, @cost_micros);";

    public async Task<Job?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var jobs = await _database.ReadPreparedAsync(
            GetSql, command => Add(command, "@id", id), command => ReadJobsAsync(command, cancellationToken), cancellationToken);
        return jobs.SingleOrDefault();
    }

    public async Task<Job?> GetForAccountAsync(string accountId, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(id);
        var jobs = await _database.ReadPreparedAsync(
            GetForAccountSql,
            command =>
            {
                Add(command, "@id", id);
                Add(command, "@account_id", accountId);
            },
            command => ReadJobsAsync(command, cancellationToken),
            cancellationToken);
        return jobs.SingleOrDefault();
    }

    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageNumber, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1, nameof(query));

        await using var connection = await _database.OpenConnectionAsync(cancellationToken);

        // One read transaction, so the total and the page come from the same snapshot.
        await using var transaction = SqliteDatabase.BeginRead(connection);
        var where = new StringBuilder("account_id = @account_id");
        await using var count = connection.CreateCommand();
        await using var page = connection.CreateCommand();
        count.Transaction = page.Transaction = transaction;
        foreach (var command in new[] { count, page })
        {
            Add(command, "@account_id", query.AccountId);
        }

        AddInFilter(where, [count, page], "status", "s", query.Statuses.Select(JobStatusRules.Name).ToList());
        if (query.Models.Count > 0)
        {
            var names = AddInList([count, page], "m", query.Models);
            where.Append(CultureInfo.InvariantCulture, $" AND (requested_model IN ({names}) OR model IN ({names}))");
        }

        AddInFilter(where, [count, page], "id", "i", query.Ids);

        count.CommandText = $"SELECT COUNT(*) FROM jobs WHERE {where};";
        page.CommandText =
            $"SELECT {Columns} FROM jobs WHERE {where} ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset;";
        Add(page, "@limit", query.PageSize);
        Add(page, "@offset", ((long)query.PageNumber - 1) * query.PageSize);

        var total = Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
        var items = await ReadJobsAsync(page, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new JobPage(total, items);
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

        var claimed = await _database.WritePreparedAsync(
            ClaimSql,
            command =>
            {
                Add(command, "@owner", owner);
                Add(command, "@now", JobRows.Millis(now));
                Add(command, "@lease_until", JobRows.Millis(now + lease));
                Add(command, "@max", max);
            },
            command => ReadJobsAsync(command, cancellationToken),
            cancellationToken);

        // RETURNING gives rows in no promised order.
        return claimed
            .OrderByDescending(j => j.Request.Priority)
            .ThenBy(j => j.CreatedAt)
            .ThenBy(j => j.Id, StringComparer.Ordinal)
            .ToList();
    }

    public Task<bool> RenewLeaseAsync(string id, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken) =>
        UpdateHeldAsync(id, owner, "lease_until = @lease_until", c => Add(c, "@lease_until", JobRows.Millis(leaseUntil)), cancellationToken);

    public async Task<bool> CompleteAsync(
        string id, string owner, JobOutputs outputs, long costMicros, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var changed = await ExecuteWriteAsync(
            CompleteSql, command => BindCompletion(command, new JobCompletion(id, owner, outputs, costMicros), now), cancellationToken);
        return changed == 1;
    }

    private const string CompleteSql =
        "UPDATE jobs SET status = 'succeeded', outputs_json = @outputs_json, cost_micros = @cost_micros, " +
        "error_code = NULL, error_message = NULL, error_param = NULL, " +
        "lease_owner = NULL, lease_until = NULL, finished_at = @now, updated_at = @now " +
        "WHERE id = @id AND status = 'running' AND lease_owner = @owner;";

    private static void BindCompletion(SqliteCommand command, JobCompletion completion, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(completion.Owner);
        Add(command, "@id", completion.Id);
        Add(command, "@owner", completion.Owner);
        Add(command, "@outputs_json", JobJson.Serialize(completion.Outputs));
        Add(command, "@cost_micros", completion.CostMicros);
        Add(command, "@now", JobRows.Millis(now));
    }

    public async Task<IReadOnlySet<string>> CompleteManyAsync(
        IReadOnlyList<JobCompletion> completions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completions);

        // One write: the statements share its transaction (and, under group commit, other writers' too).
        return await _database.WriteAsync(
            async connection =>
            {
                var completed = new HashSet<string>(StringComparer.Ordinal);
                foreach (var completion in completions)
                {
                    await using var command = connection.CreateCommand();
                    command.CommandText = CompleteSql;
                    BindCompletion(command, completion, now);
                    if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
                    {
                        completed.Add(completion.Id);
                    }
                }

                return (IReadOnlySet<string>)completed;
            },
            cancellationToken);
    }

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
            c =>
            {
                Add(c, "@status", JobStatusRules.Name(status));
                AddError(c, error);
                Add(c, "@now", JobRows.Millis(now));
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
            c =>
            {
                Add(c, "@retry_at", JobRows.Millis(retryAt));
                AddError(c, error);
                Add(c, "@now", JobRows.Millis(now));
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
            c =>
            {
                Add(c, "@upstream_task_id", upstreamTaskId);
                Add(c, "@now", JobRows.Millis(now));
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
                Add(command, "@id", id);
                Add(command, "@account_id", accountId);
                Add(command, "@now", JobRows.Millis(now));
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
                Add(command, "@id", id);
                Add(command, "@account_id", accountId);
            },
            cancellationToken);
        return deleted == 1;
    }

    public async Task<IReadOnlyList<string>> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ids = await _database.WriteAsync(
            async connection =>
            {
                await using var command = connection.CreateCommand();

                // A running job whose lease is live belongs to its worker, which expires it itself.
                command.CommandText =
                    "UPDATE jobs SET status = 'expired', lease_owner = NULL, lease_until = NULL, finished_at = @now, updated_at = @now " +
                    $"WHERE {Unfinished} AND expires_at <= @now " +
                    "AND (status = 'queued' OR lease_owner IS NULL OR lease_until IS NULL OR lease_until <= @now) " +
                    "RETURNING id;";
                Add(command, "@now", JobRows.Millis(now));
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
                Add(command, "@owner", owner);
                Add(command, "@now", JobRows.Millis(now));
            },
            cancellationToken);
    }

    /// <summary>One UPDATE of a job the owner holds (running, leased to it); true when it changed.</summary>
    private async Task<bool> UpdateHeldAsync(
        string id, string owner, string assignments, Action<SqliteCommand> parameters, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        var changed = await ExecuteWriteAsync(
            $"UPDATE jobs SET {assignments} WHERE id = @id AND status = 'running' AND lease_owner = @owner;",
            command =>
            {
                Add(command, "@id", id);
                Add(command, "@owner", owner);
                parameters(command);
            },
            cancellationToken);
        return changed == 1;
    }

    /// <summary>One statement in its own write transaction; the rows it changed.</summary>
    private Task<int> ExecuteWriteAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken) =>
        _database.WritePreparedAsync(sql, bind, command => command.ExecuteNonQueryAsync(cancellationToken), cancellationToken);

    private static void BindJob(SqliteCommand command, Job job)
    {
        Add(command, "@id", job.Id);
        Add(command, "@account_id", job.AccountId);
        Add(command, "@status", JobStatusRules.Name(job.Status));
        Add(command, "@requested_model", job.RequestedModel);
        Add(command, "@model", job.Request.Model);
        Add(command, "@engine", job.Engine);
        Add(command, "@request_json", JobJson.Serialize(job.Request));
        Add(command, "@priority", job.Request.Priority);
        Add(command, "@correlation_id", job.CorrelationId);
        Add(command, "@created_at", JobRows.Millis(job.CreatedAt));
        Add(command, "@updated_at", JobRows.Millis(job.UpdatedAt));
        Add(command, "@started_at", JobRows.Millis(job.StartedAt));
        Add(command, "@finished_at", JobRows.Millis(job.FinishedAt));
        Add(command, "@expires_at", JobRows.Millis(job.ExpiresAt));
        Add(command, "@attempts", job.Attempts);
        Add(command, "@lease_owner", job.LeaseOwner);
        Add(command, "@lease_until", JobRows.Millis(job.LeaseUntil));
        Add(command, "@upstream_task_id", job.UpstreamTaskId);
        Add(command, "@outputs_json", job.Outputs is null ? null : JobJson.Serialize(job.Outputs));
        Add(command, "@error_code", job.Error?.Code);
        Add(command, "@error_message", job.Error?.Message);
        Add(command, "@error_param", job.Error?.Param);
        Add(command, "@cost_micros", job.CostMicros);
    }

    private static async Task<List<Job>> ReadJobsAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var jobs = new List<Job>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(JobRows.Read(reader));
        }

        return jobs;
    }

    /// <summary>Adds <c>AND column IN (@p0, …)</c> to both commands; an empty list adds no filter.</summary>
    private static void AddInFilter(StringBuilder where, SqliteCommand[] commands, string column, string prefix, IReadOnlyList<string> values)
    {
        if (values.Count > 0)
        {
            where.Append(CultureInfo.InvariantCulture, $" AND {column} IN ({AddInList(commands, prefix, values)})");
        }
    }

    /// <summary>Binds each value as its own parameter (never spliced into the SQL); returns the placeholder list.</summary>
    private static string AddInList(SqliteCommand[] commands, string prefix, IReadOnlyList<string> values)
    {
        var names = new string[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            names[i] = string.Create(CultureInfo.InvariantCulture, $"@{prefix}{i}");
            foreach (var command in commands)
            {
                Add(command, names[i], values[i]);
            }
        }

        return string.Join(", ", names);
    }

    private static void AddError(SqliteCommand command, JobError error)
    {
        Add(command, "@error_code", error.Code);
        Add(command, "@error_message", error.Message);
        Add(command, "@error_param", error.Param);
    }

    private static void Add(SqliteCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
}
