using System.Security.Cryptography;
using System.Text;
using Seedgate.Core.Generation;
using Seedgate.Core.Storage.Sql;

namespace Seedgate.Core.Jobs;

/// <summary>
/// Idempotent creates: a job created under an <c>Idempotency-Key</c> claims the key for its account in the
/// transaction that inserts it, for <see cref="Lifetime"/> or until the job is deleted. A second create under a live
/// key is refused inside that transaction (<see cref="IdempotencyKeyTakenException"/>), so concurrent identical
/// requests make one job; the submitter then answers with the key's job, or with a conflict when the request differs.
/// </summary>
public sealed class IdempotencyKeys(TimeSpan lifetime) : IJobEffect
{
    /// <summary>How long a key is kept by default (as SPEC §3 and most payment APIs: 24 h).</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(24);

    /// <summary>Longest key accepted: room for a UUID with a prefix, or a hash in hex.</summary>
    public const int MaxKeyLength = 255;

    /// <summary>The header that carries the key, in every dialect.</summary>
    public const string HeaderName = "Idempotency-Key";

    // A key whose time ran out is taken over by the new job; a live one is left alone (no row returned).
    private const string ClaimSql =
        "INSERT INTO idempotency_keys (account_id, key, request_fingerprint, job_id, expires_at) " +
        "VALUES (@account_id, @key, @fingerprint, @job_id, @expires_at) " +
        "ON CONFLICT (account_id, key) DO UPDATE SET request_fingerprint = excluded.request_fingerprint, " +
        "job_id = excluded.job_id, expires_at = excluded.expires_at WHERE idempotency_keys.expires_at <= @now " +
        "RETURNING job_id;";

    private const string FindSql =
        "SELECT job_id, request_fingerprint FROM idempotency_keys " +
        "WHERE account_id = @account_id AND key = @key AND expires_at > @now;";

    public TimeSpan Lifetime { get; } = lifetime > TimeSpan.Zero
        ? lifetime
        : throw new ArgumentOutOfRangeException(nameof(lifetime), "An idempotency key must be kept for a positive time.");

    public bool AppliesTo(JobTransitionKind kind) => kind == JobTransitionKind.Created;

    public bool AppliesToCreate(Job job) => job?.Idempotency is not null;

    public async Task ApplyAsync(JobTransition transition, SqlSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        ArgumentNullException.ThrowIfNull(session);
        if (transition is not { Kind: JobTransitionKind.Created, Job: { Idempotency: { } idempotency } job })
        {
            return;
        }

        var claimed = await session.QueryAsync(
            ClaimSql,
            c =>
            {
                c.Text("@account_id", job.AccountId);
                c.Text("@key", idempotency.Key);
                c.Text("@fingerprint", idempotency.RequestFingerprint);
                c.Text("@job_id", job.Id);
                c.Bigint("@expires_at", (job.CreatedAt + Lifetime).ToUnixTimeMilliseconds());
                c.Bigint("@now", job.CreatedAt.ToUnixTimeMilliseconds());
            },
            row => row.GetString(0),
            cancellationToken);
        if (claimed.Count == 0)
        {
            var holder = await FindAsync(session, job.AccountId, idempotency.Key, job.CreatedAt, cancellationToken)
                ?? throw new InvalidOperationException($"Idempotency key of job {job.Id} was refused but has no holder.");
            throw new IdempotencyKeyTakenException(holder);
        }
    }

    /// <summary>The live key's job and fingerprint for the account, or null.</summary>
    internal static async Task<JobIdempotencyHolder?> FindAsync(
        SqlSession session, string accountId, string key, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var rows = await session.QueryAsync(
            FindSql,
            c =>
            {
                c.Text("@account_id", accountId);
                c.Text("@key", key);
                c.Bigint("@now", now.ToUnixTimeMilliseconds());
            },
            row => new JobIdempotencyHolder(row.GetString(0), row.GetString(1)),
            cancellationToken);
        return rows.SingleOrDefault();
    }

    /// <summary>
    /// The fingerprint of a create: the dialect and the canonical request as the caller sent it (before defaults and
    /// a random seed are filled in, so two identical bodies match).
    /// </summary>
    public static string Fingerprint(string dialect, GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var bytes = Encoding.UTF8.GetBytes(dialect + "\n" + JobJson.Serialize(request));
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>Null when the key is acceptable, else the problem (printable ASCII, 1–255 characters).</summary>
    public static SeedgateError? Check(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length is 0 or > MaxKeyLength || key.Any(c => c is < '!' or > '~')
            ? SeedgateError.Invalid(HeaderName, $"{HeaderName} must be 1–{MaxKeyLength} printable ASCII characters without spaces.")
            : null;
    }
}

/// <summary>The job that holds a live idempotency key, and the fingerprint of the request it was created with.</summary>
public sealed record JobIdempotencyHolder(string JobId, string RequestFingerprint);

/// <summary>A create was refused because its idempotency key is held by another job.</summary>
internal sealed class IdempotencyKeyTakenException(JobIdempotencyHolder holder)
    : Exception($"The idempotency key is held by job {holder?.JobId}.")
{
    public JobIdempotencyHolder Holder { get; } = holder ?? throw new ArgumentNullException(nameof(holder));
}
