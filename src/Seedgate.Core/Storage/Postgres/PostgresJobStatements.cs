using System.Data.Common;
using Npgsql;
using NpgsqlTypes;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Storage.Postgres;

/// <summary>
/// PostgreSQL's job statements, race-free across nodes: rows are picked with <c>FOR UPDATE SKIP LOCKED</c>
/// (concurrent claimers and sweeps skip each other's rows instead of waiting, so they never deadlock), and a row
/// changed by a transaction that committed meanwhile is re-checked against the predicate after the lock, so it is
/// never taken twice. <c>= ANY (ARRAY(…))</c> rather than <c>IN (…)</c>: the array is an InitPlan, run exactly
/// once, whereas an IN subquery may be planned as a semi-join whose inner side is rescanned, and a rescanned
/// LIMIT … SKIP LOCKED can pick different rows.
/// </summary>
internal sealed class PostgresJobStatements : JobStatements
{
    public static readonly PostgresJobStatements Instance = new();

    public override string PromptOfRequest => "(request_json::jsonb ->> 'prompt')";

    /// <summary>The subquery walks ix_jobs_claim in claim order and locks what it picks.</summary>
    public override string ClaimSql { get; } =
        $"UPDATE jobs SET {ClaimSet} " +
        $"WHERE id = ANY (ARRAY(SELECT id FROM jobs WHERE {Claimable} " +
        "ORDER BY priority DESC, created_at, id LIMIT @max FOR UPDATE SKIP LOCKED)) " +
        $"RETURNING {JobRows.Columns};";

    /// <summary>
    /// Capped claims count an account's running jobs and then start more: two nodes doing that at once could both see
    /// room for the last slot. One cluster-wide transaction lock (a claim holds it for a few milliseconds) makes them
    /// take turns; uncapped claims, creates and completions never wait for it.
    /// </summary>
    public override string? CappedClaimLockSql => "SELECT pg_advisory_xact_lock(7355608001);";

    /// <summary>A skipped job is taken by the next sweep if it is still due then.</summary>
    public override JobStatement Expire { get; } = new(
        "UPDATE jobs SET status = 'expired', lease_owner = NULL, lease_until = NULL, finished_at = @now, updated_at = @now " +
        $"WHERE id = ANY (ARRAY(SELECT id FROM jobs WHERE {Expirable} FOR UPDATE SKIP LOCKED))");

    /// <summary>One statement for the whole batch; each row still completes only where its owner holds the lease.</summary>
    public override JobStatement CompleteMany { get; } = new(
        "UPDATE jobs SET status = 'succeeded', outputs_json = c.outputs, cost_micros = c.cost, " +
        "error_code = NULL, error_message = NULL, error_param = NULL, " +
        "lease_owner = NULL, lease_until = NULL, finished_at = @now, updated_at = @now " +
        "FROM unnest(@ids, @owners, @outputs, @costs) AS c(id, owner, outputs, cost) " +
        "WHERE jobs.id = c.id COLLATE \"C\" AND jobs.status = 'running' AND jobs.lease_owner = c.owner",
        "jobs");

    public override void BindCompleteMany(DbCommand command, IReadOnlyList<JobCompletion> completions, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(completions);
        var p = ((NpgsqlCommand)command).Parameters;
        p.TextArray("ids", [.. completions.Select(c => c.Id)]);
        p.TextArray("owners", [.. completions.Select(c => c.Owner)]);
        p.TextArray("outputs", [.. completions.Select(c => JobJson.Serialize(c.Outputs))]);
        p.Add(new NpgsqlParameter<long[]>("costs", NpgsqlDbType.Array | NpgsqlDbType.Bigint)
        {
            TypedValue = [.. completions.Select(c => c.CostMicros)],
        });
        command.Bigint("@now", JobRows.Millis(now));
    }
}
