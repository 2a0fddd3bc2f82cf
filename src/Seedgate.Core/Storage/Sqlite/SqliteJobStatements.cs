using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Storage.Sqlite;

/// <summary>SQLite's job statements: one writer at a time holds the file's lock, so picking needs no row locks.</summary>
internal sealed class SqliteJobStatements : JobStatements
{
    public static readonly SqliteJobStatements Instance = new();

    private const string ClaimIndex = "INDEXED BY ix_jobs_claim";

    /// <summary>
    /// INDEXED BY: the claim must walk ix_jobs_claim in claim order; given the expiry range alone, newer planners may
    /// pick ix_jobs_expiry and sort every unfinished job.
    /// </summary>
    public override string ClaimSql { get; } =
        $"UPDATE jobs SET {ClaimSet} " +
        $"WHERE id IN (SELECT id FROM jobs {ClaimIndex} WHERE {Claimable} " +
        "ORDER BY priority DESC, created_at, id LIMIT @max) " +
        $"RETURNING {JobRows.Columns};";

    public override string ClaimIndexHint => ClaimIndex;

    public override string PromptOfRequest => "json_extract(request_json, '$.prompt')";

    public override JobStatement Expire { get; } = new(
        "UPDATE jobs SET status = 'expired', lease_owner = NULL, lease_until = NULL, finished_at = @now, updated_at = @now " +
        $"WHERE {Expirable}");
}
