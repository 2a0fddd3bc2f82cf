using System.Data.Common;
using Seedgate.Core.Jobs;

namespace Seedgate.Core.Storage.Sql;

/// <summary>
/// The job statements that truly differ per provider: how runnable and due jobs are picked (PostgreSQL locks with
/// <c>FOR UPDATE SKIP LOCKED</c>; SQLite has one writer and needs no locks) and how many completions are written at
/// once. Everything else is in <see cref="SqlJobStore"/>, once.
/// </summary>
internal abstract class JobStatements
{
    /// <summary>
    /// Claimable: queued, or running with a lapsed lease (its worker died) or a due retry (no owner, lease_until =
    /// retry time). A running job without lease_until should not exist; it is claimed rather than stranded. Jobs past
    /// their expiry are left to the expiry sweep. The predicate of the partial indexes comes first, verbatim, so
    /// that the planners use them.
    /// </summary>
    internal const string Claimable =
        $"{SqlJobStore.Unfinished} AND expires_at > @now AND (status = 'queued' OR lease_until IS NULL OR lease_until <= @now)";

    /// <summary>Due for expiry: unfinished past its expiry, and not held by a live lease (a worker expires its own job).</summary>
    protected const string Expirable =
        $"{SqlJobStore.Unfinished} AND expires_at <= @now AND (status = 'queued' OR lease_owner IS NULL OR lease_until IS NULL OR lease_until <= @now)";

    /// <summary>What a claim sets: see <see cref="ClaimSql"/>.</summary>
    internal const string ClaimSet =
        "status = 'running', lease_owner = @owner, lease_until = @lease_until, " +
        "attempts = CASE WHEN status = 'queued' THEN 1 ELSE attempts END, " +
        "lapses = lapses + CASE WHEN status = 'running' AND lease_owner IS NOT NULL THEN 1 ELSE 0 END, " +
        "started_at = COALESCE(started_at, @now), updated_at = @now";

    /// <summary>The stored request's prompt (request_json's "prompt", unescaped), as an SQL expression; null when it has none.</summary>
    public abstract string PromptOfRequest { get; }

    /// <summary>What the capped claim's pick says after FROM jobs to walk the claim index (see SQLite's statements).</summary>
    public virtual string ClaimIndexHint => "";

    /// <summary>
    /// Serializes claims that respect per-account caps across nodes for the rest of the transaction (PostgreSQL: a
    /// transaction advisory lock), or null where transactions are serial anyway (SQLite: one writer).
    /// </summary>
    public virtual string? CappedClaimLockSql => null;

    /// <summary>
    /// Claims up to @max runnable jobs for @owner in one statement (the choice and the update are atomic): sets status
    /// running, the lease until @lease_until, attempts = 1 the first time (a retry counted its own), a lapse when the
    /// job is taken from an owner that never gave it back, started_at the first time. Returns the claimed rows.
    /// </summary>
    public abstract string ClaimSql { get; }

    /// <summary>Marks every due job (see <see cref="Expirable"/>) expired at @now.</summary>
    public abstract JobStatement Expire { get; }

    /// <summary>One statement that completes a whole batch, or null where one statement per job is as cheap (SQLite).</summary>
    public virtual JobStatement? CompleteMany => null;

    /// <summary>Binds a batch of completions (each only where its owner still holds the lease) to <see cref="CompleteMany"/>.</summary>
    public virtual void BindCompleteMany(DbCommand command, IReadOnlyList<JobCompletion> completions, DateTimeOffset now) =>
        throw new NotSupportedException("This provider completes jobs one statement each.");
}

/// <summary>
/// A job statement without its RETURNING clause, which is chosen per use: the whole rows when an effect needs them,
/// else only the ids (less to send and to map).
/// </summary>
/// <param name="Text">The statement up to RETURNING, without a semicolon.</param>
/// <param name="Table">The table's name or alias where the statement joins other tables (columns are then qualified).</param>
internal sealed record JobStatement(string Text, string? Table = null)
{
    public string ReturningRows { get; } = $"{Text} RETURNING {(Table is null ? JobRows.Columns : JobRows.ColumnsOf(Table))};";

    public string ReturningIds { get; } = $"{Text} RETURNING {(Table is null ? "id" : Table + ".id")};";
}
