using System.Data.Common;
using System.Globalization;
using System.Text;
using Seedgate.Core.Generation;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Postgres;
using Seedgate.Core.Storage.Sqlite;
using Seedgate.Core.Upstream;

namespace Seedgate.Core.Storage.Sql;

/// <summary>
/// <see cref="IJobStore"/> on SQL, one source for SQLite and PostgreSQL: every transition is one statement that names
/// the states it may leave (and, for a worker, the lease it must hold), run in a write transaction together with the
/// <see cref="IJobEffect"/>s of the job it changed. Only the statements of <see cref="JobStatements"/> are provider
/// code. Times are stored as Unix milliseconds: sub-millisecond precision is dropped.
/// </summary>
public sealed class SqlJobStore : IJobStore
{
    /// <summary>The predicate of the partial indexes, repeated verbatim so that the planners use them.</summary>
    internal const string Unfinished = "status IN ('queued', 'running')";

    private static readonly JobStatement Complete = HeldUpdate(
        "status = 'succeeded', outputs_json = @outputs_json, cost_micros = @cost_micros, " +
        "error_code = NULL, error_message = NULL, error_param = NULL, " +
        "lease_owner = NULL, lease_until = NULL, finished_at = @now, updated_at = @now");

    private static readonly string InsertSql = $"INSERT INTO jobs ({JobRows.Columns}) VALUES {JobRows.Values};";

    // Reads bring the job's reserve and charge along from the ledger (for views: what it holds, what it was charged).
    private static readonly string GetSql = $"SELECT {JobRows.Columns}, {JobRows.LedgerColumnsOf("jobs.id")} FROM jobs WHERE id = @id;";
    private static readonly string GetForAccountSql =
        $"SELECT {JobRows.Columns}, {JobRows.LedgerColumnsOf("jobs.id")} FROM jobs WHERE id = @id AND account_id = @account_id;";

    private static readonly JobStatement Fail = HeldUpdate(
        "status = @status, error_code = @error_code, error_message = @error_message, error_param = @error_param, " +
        "outputs_json = @outputs_json, cost_micros = @cost_micros, " +
        "lease_owner = NULL, lease_until = NULL, finished_at = @now, updated_at = @now");

    // The next segment of a long take starts from nothing: no checkpoint, its first attempt, no earlier error.
    private static readonly JobStatement FinishSegment = HeldUpdate(
        "segments_json = @segments_json, checkpoint = NULL, attempts = 1, " +
        "error_code = NULL, error_message = NULL, error_param = NULL, updated_at = @now");

    private const string RetryAssignments =
        "lease_owner = NULL, lease_until = @retry_at, attempts = attempts + 1, " +
        "error_code = @error_code, error_message = @error_message, error_param = @error_param, updated_at = @now";

    private static readonly JobStatement Retry = HeldUpdate(RetryAssignments);

    // The retry, on another model, only while nothing is under way on the engine (no checkpoint).
    private static readonly JobStatement FallBack = new(
        HeldUpdate(RetryAssignments + ", model = @model, engine = @engine, request_json = @request_json").Text + " AND checkpoint IS NULL");

    private const string CheckpointSql =
        "UPDATE jobs SET checkpoint = @checkpoint, upstream_task_id = COALESCE(@upstream_task_id, upstream_task_id), updated_at = @now " +
        "WHERE id = @id AND status = 'running' AND lease_owner = @owner;";

    // A step that ends waiting went well: an earlier attempt's transient error is over. A job whose upstream task was
    // reported ended while the step ran (by a callback, which could not wake a held job) resumes at once.
    private static readonly JobStatement Wait = HeldUpdate(
        "checkpoint = @checkpoint, upstream_task_id = COALESCE(@upstream_task_id, upstream_task_id), " +
        "error_code = NULL, error_message = NULL, error_param = NULL, lease_owner = NULL, " +
        "lease_until = CASE WHEN EXISTS (SELECT 1 FROM upstream_tasks t WHERE t.job_id = jobs.id AND t.state = 'done') THEN @now ELSE @resume_at END, " +
        "updated_at = @now");

    private const string RenewSql =
        "UPDATE jobs SET lease_until = @lease_until WHERE id = @id AND status = 'running' AND lease_owner = @owner;";

    private static readonly JobStatement Cancel = new(
        "UPDATE jobs SET status = 'cancelled', finished_at = @now, updated_at = @now " +
        "WHERE id = @id AND account_id = @account_id AND status = 'queued'");

    // Cancelled jobs stay, as on Ark.
    private static readonly JobStatement Delete = new(
        "DELETE FROM jobs WHERE id = @id AND account_id = @account_id AND status IN ('succeeded', 'failed', 'expired')");

    // The owner stays recorded until another claim takes the job (which counts the lapse); only the lease ends.
    private const string ReleaseSql = "UPDATE jobs SET lease_until = @now WHERE status = 'running' AND lease_owner = @owner;";

    private const string HandBackSql =
        "UPDATE jobs SET lease_owner = NULL, lease_until = @now, updated_at = @now WHERE status = 'running' AND lease_owner = @owner;";

    // A capped claim picks twice the slots it has; when accounts at their cap fill the pick, it looks again past them.
    private const int MaxCappedClaimRounds = 4;

    private readonly ISqlDatabase _database;
    private readonly JobStatements _statements;

    // The effects that act on each kind of transition (most kinds have none).
    private readonly Dictionary<JobTransitionKind, IJobEffect[]> _effects;

    /// <summary>A job store on a SQLite file; <paramref name="effects"/> run in every transition's transaction.</summary>
    public SqlJobStore(SqliteDatabase database, IEnumerable<IJobEffect>? effects = null)
        : this((ISqlDatabase)database, effects)
    {
    }

    /// <summary>A job store on PostgreSQL; <paramref name="effects"/> run in every transition's transaction.</summary>
    public SqlJobStore(PostgresDatabase database, IEnumerable<IJobEffect>? effects = null)
        : this((ISqlDatabase)database, effects)
    {
    }

    internal SqlJobStore(ISqlDatabase database, IEnumerable<IJobEffect>? effects)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _statements = database.JobStatements;
        var all = effects?.ToArray() ?? [];
        _effects = Enum.GetValues<JobTransitionKind>().ToDictionary(kind => kind, kind => all.Where(e => e.AppliesTo(kind)).ToArray());
    }

    public Task CreateAsync(Job job, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        return CreateManyAsync([job], cancellationToken);
    }

    public Task CreateManyAsync(IReadOnlyList<Job> jobs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        if (jobs.Count == 0)
        {
            return Task.CompletedTask;
        }

        // One write: the rows and their effects commit (or roll back) as a whole (a batch alone is atomic by itself).
        var effects = _effects[JobTransitionKind.Created].Where(e => jobs.Any(e.AppliesToCreate)).ToArray();
        async Task<int> InsertAsync(SqlSession session)
        {
            await session.ExecuteEachDeferredAsync(InsertSql, jobs, (c, job) => JobRows.Bind(c, job), cancellationToken);
            await ApplyAsync(session, JobTransitionKind.Created, effects, jobs, cancellationToken);
            return jobs.Count;
        }

        return effects.Length == 0 ? _database.WriteOneAsync(InsertAsync, cancellationToken) : _database.WriteAsync(InsertAsync, cancellationToken);
    }

    public async Task<Job?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        var jobs = await _database.ReadAsync(
            session => session.QueryAsync(GetSql, c => c.Text("@id", id), r => JobRows.ReadWithLedgerAt(r, 0), cancellationToken), cancellationToken);
        return jobs.SingleOrDefault();
    }

    public async Task<Job?> GetForAccountAsync(string accountId, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(id);
        var jobs = await _database.ReadAsync(
            session => session.QueryAsync(
                GetForAccountSql,
                c =>
                {
                    c.Text("@id", id);
                    c.Text("@account_id", accountId);
                },
                r => JobRows.ReadWithLedgerAt(r, 0),
                cancellationToken),
            cancellationToken);
        return jobs.SingleOrDefault();
    }

    public async Task<JobPage> ListAsync(JobQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageNumber, 1, nameof(query));
        ArgumentOutOfRangeException.ThrowIfLessThan(query.PageSize, 1, nameof(query));

        var where = new StringBuilder("account_id = @account_id");
        var values = new List<(string Name, string Value)>();
        AddInFilter("status", "s", query.Statuses.Select(JobStatusRules.Name).ToList());
        if (query.Models.Count > 0)
        {
            var names = InList("m", query.Models);
            where.Append(CultureInfo.InvariantCulture, $" AND (requested_model IN ({names}) OR model IN ({names}))");
        }

        AddInFilter("id", "i", query.Ids);
        var bounds = new List<(string Name, long Millis)>();
        if (!string.IsNullOrEmpty(query.PromptContains))
        {
            // A LIKE pattern whose wildcards are the caller's text taken literally (\ escapes them).
            var literal = query.PromptContains.ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
            where.Append(CultureInfo.InvariantCulture, $" AND lower({_statements.PromptOfRequest}) LIKE @prompt ESCAPE '\\'");
            values.Add(("@prompt", $"%{literal}%"));
        }

        if (query.CreatedFrom is { } from)
        {
            where.Append(" AND created_at >= @created_from");
            bounds.Add(("@created_from", JobRows.Millis(from)));
        }

        if (query.CreatedBefore is { } before)
        {
            where.Append(" AND created_at < @created_before");
            bounds.Add(("@created_before", JobRows.Millis(before)));
        }

        // One statement, so the total and the page come from the same snapshot; the count row is there even when the
        // page is empty (its job columns are then null). Ties on created_at go by insertion order (rowid: migration 008).
        var sql =
            $"WITH page AS (SELECT rowid AS inserted, {JobRows.Columns} FROM jobs WHERE {where} " +
            "ORDER BY created_at DESC, rowid DESC LIMIT @limit OFFSET @offset) " +
            $"SELECT t.total, {JobRows.ColumnsOf("page")}, {JobRows.LedgerColumnsOf("page.id")} " +
            $"FROM (SELECT COUNT(*) AS total FROM jobs WHERE {where}) t LEFT JOIN page ON 1 = 1 " +
            "ORDER BY page.created_at DESC, page.inserted DESC;";
        var rows = await _database.ReadAsync(
            session => session.QueryAsync(
                sql,
                c =>
                {
                    c.Text("@account_id", query.AccountId);
                    foreach (var (name, value) in values)
                    {
                        c.Text(name, value);
                    }

                    foreach (var (name, millis) in bounds)
                    {
                        c.Bigint(name, millis);
                    }

                    c.Int4("@limit", query.PageSize);
                    c.Bigint("@offset", ((long)query.PageNumber - 1) * query.PageSize);
                },
                row => (Total: row.GetInt64(0), Job: row.IsDBNull(1) ? null : JobRows.ReadWithLedgerAt(row, 1)),
                cancellationToken),
            cancellationToken);
        return new JobPage(rows.Count == 0 ? 0 : rows[0].Total, [.. rows.Where(r => r.Job is not null).Select(r => r.Job!)]);

        void AddInFilter(string column, string prefix, IReadOnlyList<string> list)
        {
            if (list.Count > 0)
            {
                where.Append(CultureInfo.InvariantCulture, $" AND {column} IN ({InList(prefix, list)})");
            }
        }

        // Each value is its own parameter, never spliced into the SQL; returns the placeholder list.
        string InList(string prefix, IReadOnlyList<string> list)
        {
            var names = new string[list.Count];
            for (var i = 0; i < list.Count; i++)
            {
                names[i] = string.Create(CultureInfo.InvariantCulture, $"@{prefix}{i}");
                values.Add((names[i], list[i]));
            }

            return string.Join(", ", names);
        }
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

        var claimed = await WriteAsync(
            JobTransitionKind.Claimed,
            async session =>
            {
                var jobs = await session.QueryAsync(
                    _statements.ClaimSql,
                    c =>
                    {
                        c.Text("@owner", owner);
                        c.Bigint("@now", JobRows.Millis(now));
                        c.Bigint("@lease_until", JobRows.Millis(now + lease));
                        c.Int4("@max", max);
                    },
                    JobRows.Read,
                    cancellationToken);
                await ApplyAsync(session, JobTransitionKind.Claimed, _effects[JobTransitionKind.Claimed], jobs, cancellationToken);
                return jobs;
            },
            cancellationToken);

        return InClaimOrder(claimed);
    }

    public Task<IReadOnlyList<Job>> ClaimAsync(
        string owner, int max, DateTimeOffset now, TimeSpan lease, IRunningCaps caps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caps);
        return ClaimAsync(owner, new ClaimCapacity(max, 0), now, lease, caps, null, cancellationToken);
    }

    public async Task<IReadOnlyList<Job>> ClaimAsync(
        string owner,
        ClaimCapacity capacity,
        DateTimeOffset now,
        TimeSpan lease,
        IRunningCaps? caps,
        UpstreamLanes? lanes,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentNullException.ThrowIfNull(capacity);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lease, TimeSpan.Zero);
        var upstream = lanes is null ? 0 : capacity.Upstream;
        if (capacity.Local <= 0 && upstream <= 0)
        {
            return [];
        }

        var claimed = await _database.WriteAsync(
            async session =>
            {
                if (_statements.CappedClaimLockSql is { } lockSql)
                {
                    await session.ExecuteAsync(lockSql, _ => { }, cancellationToken);
                }

                var taken = new List<Job>();
                if (capacity.Local > 0)
                {
                    taken.AddRange(await ClaimLocalAsync(session, owner, capacity.Local, now, lease, caps, lanes is not null, cancellationToken));
                }

                if (upstream > 0)
                {
                    taken.AddRange(await UpstreamClaim.ClaimAsync(session, owner, upstream, now, lease, caps, lanes!, cancellationToken));
                }

                await ApplyAsync(session, JobTransitionKind.Claimed, _effects[JobTransitionKind.Claimed], taken, cancellationToken);
                return taken;
            },
            cancellationToken);
        return InClaimOrder(claimed);
    }

    /// <summary>
    /// The claim of jobs that local engines run, in the store's order, each queued one only while its account is under
    /// its cap (when there are caps); jobs of upstream engines are left to <see cref="UpstreamClaim"/> when
    /// <paramref name="skipUpstream"/>.
    /// </summary>
    private async Task<List<Job>> ClaimLocalAsync(
        SqlSession session, string owner, int max, DateTimeOffset now, TimeSpan lease, IRunningCaps? caps, bool skipUpstream, CancellationToken cancellationToken)
    {
        var taken = new List<Job>();
        var full = new List<string>(); // accounts at their cap: their queued jobs are not picked again
        var local = skipUpstream ? $" AND engine NOT IN ({SqlParameters.Placeholders("e", UpstreamLanes.Engines.Count)})" : "";
        for (var round = 0; round < MaxCappedClaimRounds && taken.Count < max; round++)
        {
            var window = (max - taken.Count) * 2;
            var candidates = await session.QueryAsync(
                $"SELECT id, account_id, status FROM jobs {_statements.ClaimIndexHint} WHERE {JobStatements.Claimable}{local}" +
                (full.Count == 0 ? "" : $" AND (status <> 'queued' OR account_id NOT IN ({SqlParameters.Placeholders("f", full.Count)}))") +
                " ORDER BY priority DESC, created_at, id LIMIT @window;",
                c =>
                {
                    c.Bigint("@now", JobRows.Millis(now));
                    c.Int4("@window", window);
                    c.TextEach("f", full);
                    if (skipUpstream)
                    {
                        c.TextEach("e", UpstreamLanes.Engines);
                    }
                },
                r => (Id: r.GetString(0), AccountId: r.GetString(1), Starts: r.GetString(2) == "queued"),
                cancellationToken);
            var room = await RoomAsync(session, [.. candidates.Where(c => c.Starts).Select(c => c.AccountId)], caps, cancellationToken);
            var chosen = new List<string>();
            foreach (var candidate in candidates.TakeWhile(_ => taken.Count + chosen.Count < max))
            {
                if (candidate.Starts && room[candidate.AccountId] <= 0)
                {
                    if (!full.Contains(candidate.AccountId))
                    {
                        full.Add(candidate.AccountId);
                    }

                    continue;
                }

                if (candidate.Starts)
                {
                    room[candidate.AccountId]--;
                }

                chosen.Add(candidate.Id);
            }

            taken.AddRange(await TakeAsync(session, owner, chosen, now, lease, cancellationToken));
            if (candidates.Count < window)
            {
                break; // every claimable job was seen
            }
        }

        return taken;
    }

    /// <summary>Claims the chosen jobs (each only while it is still claimable); the rows as they stand after.</summary>
    internal static async Task<List<Job>> TakeAsync(
        SqlSession session, string owner, IReadOnlyList<string> ids, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken) =>
        ids.Count == 0
            ? []
            : await session.QueryAsync(
                $"UPDATE jobs SET {JobStatements.ClaimSet} WHERE id IN ({SqlParameters.Placeholders("c", ids.Count)}) " +
                $"AND {JobStatements.Claimable} RETURNING {JobRows.Columns};",
                c =>
                {
                    c.Text("@owner", owner);
                    c.Bigint("@now", JobRows.Millis(now));
                    c.Bigint("@lease_until", JobRows.Millis(now + lease));
                    c.TextEach("c", ids);
                },
                JobRows.Read,
                cancellationToken);

    public async Task<bool> RenewLeaseAsync(string id, string owner, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrEmpty(owner);

        // Not a transition: no effects.
        return await UpdateHeldAsync(
            RenewSql,
            c =>
            {
                BindHeld(c, id, owner);
                c.Bigint("@lease_until", JobRows.Millis(leaseUntil));
            },
            cancellationToken);
    }

    public Task<bool> CompleteAsync(
        string id, string owner, JobOutputs outputs, long costMicros, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        var completion = new JobCompletion(id, owner, outputs, costMicros);
        return ChangeOneAsync(JobTransitionKind.Completed, Complete, c => BindCompletion(c, completion, now), cancellationToken);
    }

    public async Task<IReadOnlySet<string>> CompleteManyAsync(
        IReadOnlyList<JobCompletion> completions, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(completions);
        if (completions.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        // One statement for the batch where the provider has one; else one per job, in one transaction.
        var work = async (SqlSession session) =>
        {
            var completed = new HashSet<string>(StringComparer.Ordinal);
            if (_statements.CompleteMany is { } many)
            {
                completed.UnionWith(await ChangeAsync(
                    session, JobTransitionKind.Completed, many, c => _statements.BindCompleteMany(c, completions, now), cancellationToken));
            }
            else
            {
                foreach (var completion in completions)
                {
                    if (await ChangeOneAsync(session, JobTransitionKind.Completed, Complete, c => BindCompletion(c, completion, now), cancellationToken))
                    {
                        completed.Add(completion.Id);
                    }
                }
            }

            return (IReadOnlySet<string>)completed;
        };
        return await (_statements.CompleteMany is not null || completions.Count == 1
            ? WriteAsync(JobTransitionKind.Completed, work, cancellationToken)
            : _database.WriteAsync(work, cancellationToken));
    }

    private static void BindCompletion(DbCommand command, JobCompletion completion, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(completion.Owner);
        command.Text("@id", completion.Id);
        command.Text("@owner", completion.Owner);
        command.Text("@outputs_json", JobJson.Serialize(completion.Outputs));
        command.Bigint("@cost_micros", completion.CostMicros);
        command.Bigint("@now", JobRows.Millis(now));
    }

    public Task<bool> FailAsync(
        string id, string owner, JobStatus status, JobError error, DateTimeOffset now, CancellationToken cancellationToken, JobDelivery? delivered = null)
    {
        var kind = status switch
        {
            JobStatus.Failed => JobTransitionKind.Failed,
            JobStatus.Expired => JobTransitionKind.Expired,
            _ => throw new ArgumentException($"A job can only fail as failed or expired, not {JobStatusRules.Name(status)}.", nameof(status)),
        };
        ArgumentNullException.ThrowIfNull(error);
        return ChangeOneAsync(
            kind,
            Fail,
            c =>
            {
                BindHeld(c, id, owner);
                c.Text("@status", JobStatusRules.Name(status));
                BindError(c, error);
                c.Text("@outputs_json", delivered is null ? null : JobJson.Serialize(delivered.Outputs));
                c.Bigint("@cost_micros", delivered?.CostMicros);
                c.Bigint("@now", JobRows.Millis(now));
            },
            cancellationToken);
    }

    public Task<bool> FinishSegmentAsync(
        string id, string owner, IReadOnlyList<JobSegment> segments, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(segments);
        return ChangeOneAsync(
            JobTransitionKind.SegmentFinished,
            FinishSegment,
            c =>
            {
                BindHeld(c, id, owner);
                c.Text("@segments_json", JobRows.SegmentsJson(segments));
                c.Bigint("@now", JobRows.Millis(now));
            },
            cancellationToken);
    }

    public Task<bool> ScheduleRetryAsync(
        string id, string owner, JobError error, DateTimeOffset retryAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        return ChangeOneAsync(
            JobTransitionKind.RetryScheduled,
            Retry,
            c => BindRetry(c, id, owner, error, retryAt, now),
            cancellationToken);
    }

    private static void BindRetry(DbCommand command, string id, string owner, JobError error, DateTimeOffset retryAt, DateTimeOffset now)
    {
        BindHeld(command, id, owner);
        command.Bigint("@retry_at", JobRows.Millis(retryAt));
        BindError(command, error);
        command.Bigint("@now", JobRows.Millis(now));
    }

    public Task<bool> FallBackAsync(
        string id, string owner, JobError error, DateTimeOffset retryAt, GenerationRequest request, string engine, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(request);
        return ChangeOneAsync(
            JobTransitionKind.RetryScheduled,
            FallBack,
            c =>
            {
                BindRetry(c, id, owner, error, retryAt, now);
                c.Text("@model", request.Model);
                c.Text("@engine", engine);
                c.Text("@request_json", JobJson.Serialize(request));
            },
            cancellationToken);
    }

    public async Task<bool> CheckpointAsync(
        string id, string owner, EngineCheckpoint checkpoint, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);

        // Not a transition: the job stays running with its owner.
        return await UpdateHeldAsync(
            CheckpointSql,
            c =>
            {
                BindHeld(c, id, owner);
                BindCheckpoint(c, checkpoint);
                c.Bigint("@now", JobRows.Millis(now));
            },
            cancellationToken);
    }

    /// <summary>One statement on a job its owner holds that is no transition (no effects); true when it changed the row.</summary>
    private async Task<bool> UpdateHeldAsync(string sql, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        await _database.WriteOneAsync(session => session.ExecuteAsync(sql, bind, cancellationToken), cancellationToken) == 1;

    public Task<bool> WaitAsync(
        string id, string owner, EngineCheckpoint checkpoint, DateTimeOffset resumeAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return ChangeOneAsync(
            JobTransitionKind.Waiting,
            Wait,
            c =>
            {
                BindHeld(c, id, owner);
                BindCheckpoint(c, checkpoint);
                c.Bigint("@resume_at", JobRows.Millis(resumeAt));
                c.Bigint("@now", JobRows.Millis(now));
            },
            cancellationToken);
    }

    private static void BindCheckpoint(DbCommand command, EngineCheckpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint.State);
        command.Text("@checkpoint", checkpoint.State);
        command.Text("@upstream_task_id", checkpoint.UpstreamTaskId);
    }

    public Task<bool> CancelQueuedAsync(string accountId, string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(id);
        return ChangeOneAsync(
            JobTransitionKind.Cancelled,
            Cancel,
            c =>
            {
                c.Text("@id", id);
                c.Text("@account_id", accountId);
                c.Bigint("@now", JobRows.Millis(now));
            },
            cancellationToken);
    }

    public Task<bool> DeleteTerminalAsync(string accountId, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(id);
        return ChangeOneAsync(
            JobTransitionKind.Deleted,
            Delete,
            c =>
            {
                c.Text("@id", id);
                c.Text("@account_id", accountId);
            },
            cancellationToken);
    }

    public async Task<IReadOnlyList<string>> ExpireDueAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var expired = await WriteAsync(
            JobTransitionKind.Expired,
            session => ChangeAsync(session, JobTransitionKind.Expired, _statements.Expire, c => c.Bigint("@now", JobRows.Millis(now)), cancellationToken),
            cancellationToken);
        return [.. expired.Order(StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<AccountJobCounts>> CountUnfinishedAsync(CancellationToken cancellationToken) =>
        await _database.ReadAsync(
            session => session.QueryAsync(
                "SELECT account_id, SUM(CASE WHEN status = 'queued' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) " +
                $"FROM jobs WHERE {Unfinished} GROUP BY account_id ORDER BY account_id;",
                _ => { },
                row => new AccountJobCounts(row.GetString(0), (int)row.GetInt64(1), (int)row.GetInt64(2)),
                cancellationToken),
            cancellationToken);

    public async Task<IReadOnlyList<string>> FindFilesPastRetentionAsync(
        DateTimeOffset finishedBefore, int max, CancellationToken cancellationToken) =>
        await _database.ReadAsync(
            session => session.QueryAsync(
                "SELECT id FROM jobs WHERE files_deleted_at IS NULL AND status IN ('succeeded', 'failed', 'cancelled', 'expired') " +
                "AND finished_at < @before ORDER BY finished_at LIMIT @max;",
                c =>
                {
                    c.Bigint("@before", JobRows.Millis(finishedBefore));
                    c.Int4("@max", max);
                },
                row => row.GetString(0),
                cancellationToken),
            cancellationToken);

    public Task MarkFilesDeletedAsync(IReadOnlyList<string> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return _database.WriteAsync(
            session => session.ExecuteEachAsync(
                "UPDATE jobs SET files_deleted_at = @now WHERE id = @id AND files_deleted_at IS NULL;",
                ids,
                (c, id) =>
                {
                    c.Text("@id", id);
                    c.Bigint("@now", JobRows.Millis(now));
                },
                cancellationToken),
            cancellationToken);
    }

    public Task<JobIdempotencyHolder?> FindIdempotencyKeyAsync(
        string accountId, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentNullException.ThrowIfNull(key);
        return _database.ReadAsync(session => IdempotencyKeys.FindAsync(session, accountId, key, now, cancellationToken), cancellationToken);
    }

    public Task<int> ReleaseLeasesAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        ReleaseAsync(ReleaseSql, owner, now, cancellationToken);

    public Task<int> HandBackAsync(string owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        ReleaseAsync(HandBackSql, owner, now, cancellationToken);

    private Task<int> ReleaseAsync(string sql, string owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return _database.WriteOneAsync(
            session => session.ExecuteAsync(
                sql,
                c =>
                {
                    c.Text("@owner", owner);
                    c.Bigint("@now", JobRows.Millis(now));
                },
                cancellationToken),
            cancellationToken);
    }

    /// <summary>A transition of one job: its statement, then its effects, in one transaction; true when it applied.</summary>
    private Task<bool> ChangeOneAsync(JobTransitionKind kind, JobStatement statement, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        WriteAsync(kind, session => ChangeOneAsync(session, kind, statement, bind, cancellationToken), cancellationToken);

    /// <summary>
    /// <see cref="ChangeAsync"/> for a statement that changes at most one job: with no effect on its kind, a plain
    /// statement whose count of changed rows answers (no rows to read back).
    /// </summary>
    private async Task<bool> ChangeOneAsync(
        SqlSession session, JobTransitionKind kind, JobStatement statement, Action<DbCommand> bind, CancellationToken cancellationToken) =>
        _effects[kind].Length == 0
            ? await session.ExecuteAsync(statement.Text, bind, cancellationToken) == 1
            : (await ChangeAsync(session, kind, statement, bind, cancellationToken)).Count == 1;

    /// <summary>A write of one transition's statement: in a transaction when effects act on the kind, else the statement alone.</summary>
    // RETURNING gives rows in no promised order.
    private static List<Job> InClaimOrder(IEnumerable<Job> claimed) =>
        [.. claimed.OrderByDescending(j => j.Request.Priority).ThenBy(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal)];

    /// <summary>How many more jobs each account may start now: its cap less what it has running (this transaction's claims included).</summary>
    internal static async Task<Dictionary<string, int>> RoomAsync(
        SqlSession session, string[] accountIds, IRunningCaps? caps, CancellationToken cancellationToken)
    {
        var ids = accountIds.Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0)
        {
            return [];
        }

        if (caps is null)
        {
            return ids.ToDictionary(id => id, _ => int.MaxValue, StringComparer.Ordinal);
        }

        var maxRunning = await caps.MaxRunningAsync(session, ids, cancellationToken);
        var running = await session.QueryAsync(
            $"SELECT account_id, COUNT(*) FROM jobs WHERE {Unfinished} AND status = 'running' " +
            $"AND account_id IN ({SqlParameters.Placeholders("a", ids.Length)}) GROUP BY account_id;",
            c => c.TextEach("a", ids),
            r => (AccountId: r.GetString(0), Count: (int)r.GetInt64(1)),
            cancellationToken);
        var busy = running.ToDictionary(r => r.AccountId, r => r.Count, StringComparer.Ordinal);
        return ids.ToDictionary(id => id, id => maxRunning[id] - busy.GetValueOrDefault(id), StringComparer.Ordinal);
    }

    private Task<T> WriteAsync<T>(JobTransitionKind kind, Func<SqlSession, Task<T>> work, CancellationToken cancellationToken) =>
        _effects[kind].Length == 0 ? _database.WriteOneAsync(work, cancellationToken) : _database.WriteAsync(work, cancellationToken);

    /// <summary>
    /// Runs a transition's statement in the session and then the effects that act on its kind, for each job it changed;
    /// the ids of those jobs. The rows are read back only when an effect needs them.
    /// </summary>
    private async Task<List<string>> ChangeAsync(
        SqlSession session, JobTransitionKind kind, JobStatement statement, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        if (_effects[kind].Length == 0)
        {
            return await session.QueryAsync(statement.ReturningIds, bind, row => row.GetString(0), cancellationToken);
        }

        var changed = await session.QueryAsync(statement.ReturningRows, bind, JobRows.Read, cancellationToken);
        await ApplyAsync(session, kind, _effects[kind], changed, cancellationToken);
        return [.. changed.Select(j => j.Id)];
    }

    private static async Task ApplyAsync(
        SqlSession session, JobTransitionKind kind, IJobEffect[] effects, IReadOnlyList<Job> jobs, CancellationToken cancellationToken)
    {
        if (effects.Length == 0 || jobs.Count == 0)
        {
            return;
        }

        var transitions = jobs.Select(job => new JobTransition(kind, job)).ToArray();
        foreach (var effect in effects)
        {
            await effect.ApplyAllAsync(transitions, session, cancellationToken);
        }
    }

    /// <summary>An UPDATE of a job the owner holds (running, leased to it).</summary>
    private static JobStatement HeldUpdate(string assignments) =>
        new($"UPDATE jobs SET {assignments} WHERE id = @id AND status = 'running' AND lease_owner = @owner");

    private static void BindHeld(DbCommand command, string id, string owner)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        command.Text("@id", id);
        command.Text("@owner", owner);
    }

    private static void BindError(DbCommand command, JobError error)
    {
        command.Text("@error_code", error.Code);
        command.Text("@error_message", error.Message);
        command.Text("@error_param", error.Param);
    }
}
