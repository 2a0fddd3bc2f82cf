using System.Data.Common;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage.Postgres;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Storage.Sqlite;

namespace Seedgate.Core.Webhooks;

/// <summary>
/// Webhook endpoints and the outbox of deliveries (one SQL source for both providers). Rows are written by
/// <see cref="WebhookOutbox"/> in job transitions; any node leases due ones (<see cref="ClaimAsync"/>), and records
/// each attempt. A job's deliveries to one URL go out in the order their transitions happened: only the earliest
/// pending one is claimable.
/// </summary>
public sealed class WebhookStore
{
    private const string EndpointColumns =
        "id, account_id, url, events, description, enabled, disabled_reason, created_at, updated_at, previous_until";

    private const string CallbackSecretColumns = "created_at, updated_at, previous_until";

    private const string DeliveryColumns =
        "id, message_id, account_id, endpoint_id, url, event_type, job_id, status, attempts, next_attempt_at, " +
        "last_status_code, last_error, last_latency_ms, created_at, finished_at";

    // The lease condition is repeated outside the subquery: on PostgreSQL a node that waited for another's row lock
    // re-checks the outer condition on the row as the other left it, so a row is never leased twice.
    private const string Free = "status = 'pending' AND (lease_until IS NULL OR lease_until <= @now)";

    private static readonly string ClaimSql =
        $"UPDATE webhook_deliveries SET lease_owner = @owner, lease_until = @until WHERE seq IN (" +
        "SELECT d.seq FROM webhook_deliveries d LEFT JOIN webhook_endpoints e ON e.id = d.endpoint_id " +
        "WHERE d.status = 'pending' AND d.next_attempt_at <= @now AND (d.lease_until IS NULL OR d.lease_until <= @now) " +
        "AND (d.endpoint_id IS NULL OR e.enabled = 1) " +
        "AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.job_id = d.job_id AND p.url = d.url " +
        "AND p.status = 'pending' AND p.seq < d.seq) " +
        $"ORDER BY d.next_attempt_at, d.seq LIMIT @max) AND {Free} RETURNING {DeliveryColumns}, job_json;";

    private readonly ISqlDatabase _database;

    public WebhookStore(SqliteDatabase database)
        : this((ISqlDatabase)database)
    {
    }

    public WebhookStore(PostgresDatabase database)
        : this((ISqlDatabase)database)
    {
    }

    internal WebhookStore(ISqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    // ---- endpoints ------------------------------------------------------------------------------------------

    public Task CreateEndpointAsync(WebhookEndpoint endpoint, string secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return _database.WriteOneAsync(
            session => session.ExecuteAsync(
                $"INSERT INTO webhook_endpoints ({EndpointColumns}, secret) VALUES " +
                "(@id, @account_id, @url, @events, @description, @enabled, NULL, @now, @now, NULL, @secret);",
                c =>
                {
                    c.Text("@id", endpoint.Id);
                    c.Text("@account_id", endpoint.AccountId);
                    c.Text("@url", endpoint.Url);
                    c.Text("@events", string.Join(',', endpoint.Events));
                    c.Text("@description", endpoint.Description);
                    c.Int4("@enabled", endpoint.Enabled ? 1 : 0);
                    c.Bigint("@now", endpoint.CreatedAt.ToUnixTimeMilliseconds());
                    c.Text("@secret", secret);
                },
                cancellationToken),
            cancellationToken);
    }

    public Task<List<WebhookEndpoint>> ListEndpointsAsync(string accountId, CancellationToken cancellationToken) =>
        _database.ReadAsync(
            session => session.QueryAsync(
                $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE account_id = @account_id ORDER BY created_at, id;",
                c => c.Text("@account_id", accountId),
                ReadEndpoint,
                cancellationToken),
            cancellationToken);

    /// <summary>The account's endpoint; null when it has none of that id (another account's is none of its business).</summary>
    public async Task<WebhookEndpoint?> GetEndpointAsync(string accountId, string id, CancellationToken cancellationToken) =>
        (await _database.ReadAsync(
            session => session.QueryAsync(
                $"SELECT {EndpointColumns} FROM webhook_endpoints WHERE id = @id AND account_id = @account_id;",
                c =>
                {
                    c.Text("@id", id);
                    c.Text("@account_id", accountId);
                },
                ReadEndpoint,
                cancellationToken),
            cancellationToken)).SingleOrDefault();

    /// <summary>Applies a change; enabling clears the reason Seedgate disabled it. The endpoint as it now is, or null.</summary>
    public async Task<WebhookEndpoint?> UpdateEndpointAsync(
        string accountId, string id, WebhookEndpointChange change, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var rows = await _database.WriteOneAsync(
            session => session.QueryAsync(
                "UPDATE webhook_endpoints SET url = COALESCE(@url, url), events = COALESCE(@events, events), " +
                "description = COALESCE(@description, description), " +
                "enabled = COALESCE(@enabled, enabled), " +
                "disabled_reason = CASE WHEN @enabled IS NULL THEN disabled_reason ELSE NULL END, updated_at = @now " +
                $"WHERE id = @id AND account_id = @account_id RETURNING {EndpointColumns};",
                c =>
                {
                    c.Text("@id", id);
                    c.Text("@account_id", accountId);
                    c.Text("@url", change.Url);
                    c.Text("@events", change.Events is null ? null : string.Join(',', change.Events));
                    c.Text("@description", change.Description);
                    c.Bigint("@enabled", change.Enabled is { } enabled ? (enabled ? 1 : 0) : null);
                    c.Bigint("@now", now.ToUnixTimeMilliseconds());
                },
                ReadEndpoint,
                cancellationToken),
            cancellationToken);
        return rows.SingleOrDefault();
    }

    /// <summary>Deletes the endpoint; its deliveries not yet made are failed (nobody is there to take them). False: no such endpoint.</summary>
    public Task<bool> DeleteEndpointAsync(string accountId, string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        _database.WriteAsync(
            async session =>
            {
                var deleted = await session.ExecuteAsync(
                    "DELETE FROM webhook_endpoints WHERE id = @id AND account_id = @account_id;",
                    c =>
                    {
                        c.Text("@id", id);
                        c.Text("@account_id", accountId);
                    },
                    cancellationToken);
                if (deleted == 0)
                {
                    return false;
                }

                await session.ExecuteAsync(
                    "UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint deleted', finished_at = @now, " +
                    "lease_owner = NULL, lease_until = NULL WHERE endpoint_id = @id AND status = 'pending';",
                    c =>
                    {
                        c.Text("@id", id);
                        c.Bigint("@now", now.ToUnixTimeMilliseconds());
                    },
                    cancellationToken);
                return true;
            },
            cancellationToken);

    /// <summary>Gives the endpoint a new secret; the current one keeps signing too until <paramref name="previousUntil"/>. False: no such endpoint.</summary>
    public async Task<bool> RotateSecretAsync(
        string accountId, string id, string secret, DateTimeOffset previousUntil, DateTimeOffset now, CancellationToken cancellationToken) =>
        await _database.WriteOneAsync(
            session => session.ExecuteAsync(
                "UPDATE webhook_endpoints SET previous_secret = secret, previous_until = @previous_until, secret = @secret, " +
                "updated_at = @now WHERE id = @id AND account_id = @account_id;",
                c =>
                {
                    c.Text("@id", id);
                    c.Text("@account_id", accountId);
                    c.Text("@secret", secret);
                    c.Bigint("@previous_until", previousUntil.ToUnixTimeMilliseconds());
                    c.Bigint("@now", now.ToUnixTimeMilliseconds());
                },
                cancellationToken),
            cancellationToken) == 1;

    // ---- the callback secret --------------------------------------------------------------------------------

    /// <summary>
    /// Sets the account's callback secret, which signs its callback_url deliveries; a secret it had keeps signing too
    /// until <paramref name="previousUntil"/>. The secret as it now is (without the secret).
    /// </summary>
    public async Task<CallbackSecret> SetCallbackSecretAsync(string accountId, string secret, DateTimeOffset previousUntil, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await _database.WriteOneAsync(
            session => session.QueryAsync(
                "INSERT INTO webhook_callback_secrets (account_id, secret, previous_secret, previous_until, created_at, updated_at) " +
                "VALUES (@account_id, @secret, NULL, NULL, @now, @now) ON CONFLICT (account_id) DO UPDATE SET " +
                "previous_secret = webhook_callback_secrets.secret, previous_until = @previous_until, secret = excluded.secret, updated_at = @now " +
                $"RETURNING {CallbackSecretColumns};",
                c =>
                {
                    c.Text("@account_id", accountId);
                    c.Text("@secret", secret);
                    c.Bigint("@previous_until", previousUntil.ToUnixTimeMilliseconds());
                    c.Bigint("@now", now.ToUnixTimeMilliseconds());
                },
                ReadCallbackSecret,
                cancellationToken),
            cancellationToken)).Single();

    /// <summary>The account's callback secret (without the secret), or null when it has none.</summary>
    public async Task<CallbackSecret?> GetCallbackSecretAsync(string accountId, CancellationToken cancellationToken) =>
        (await _database.ReadAsync(
            session => session.QueryAsync(
                $"SELECT {CallbackSecretColumns} FROM webhook_callback_secrets WHERE account_id = @account_id;",
                c => c.Text("@account_id", accountId),
                ReadCallbackSecret,
                cancellationToken),
            cancellationToken)).SingleOrDefault();

    /// <summary>Removes the account's callback secret: its callbacks go unsigned again. False: it had none.</summary>
    public async Task<bool> DeleteCallbackSecretAsync(string accountId, CancellationToken cancellationToken) =>
        await _database.WriteOneAsync(
            session => session.ExecuteAsync(
                "DELETE FROM webhook_callback_secrets WHERE account_id = @account_id;",
                c => c.Text("@account_id", accountId),
                cancellationToken),
            cancellationToken) == 1;

    // ---- deliveries -----------------------------------------------------------------------------------------

    /// <summary>
    /// Frees the leases <paramref name="owner"/> still holds from before it restarted (a node keeps its name across
    /// restarts): what it had in flight when it died goes out again at once, not when the lease runs out.
    /// </summary>
    public Task<int> ReleaseLeasesAsync(string owner, CancellationToken cancellationToken) =>
        _database.WriteOneAsync(
            session => session.ExecuteAsync(
                "UPDATE webhook_deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = @owner AND status = 'pending';",
                c => c.Text("@owner", owner),
                cancellationToken),
            cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="max"/> due deliveries to <paramref name="owner"/> until now + <paramref name="lease"/>,
    /// with the secrets that sign each (the endpoint's, and its previous one while the rotation overlaps).
    /// </summary>
    public Task<List<DueDelivery>> ClaimAsync(string owner, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken) =>
        _database.WriteAsync(
            async session =>
            {
                var rows = await session.QueryAsync(
                    ClaimSql,
                    c =>
                    {
                        c.Text("@owner", owner);
                        c.Bigint("@now", now.ToUnixTimeMilliseconds());
                        c.Bigint("@until", (now + lease).ToUnixTimeMilliseconds());
                        c.Int4("@max", max);
                    },
                    r => (Delivery: ReadDelivery(r), JobJson: r.GetString(15)),
                    cancellationToken);
                var endpointIds = rows.Select(r => r.Delivery.EndpointId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
                var callbackAccounts = rows.Where(r => r.Delivery.EndpointId is null).Select(r => r.Delivery.AccountId).Distinct(StringComparer.Ordinal).ToArray();
                var endpointSecrets = await SecretsAsync(session, "webhook_endpoints", "id", endpointIds, now, cancellationToken);
                var callbackSecrets = await SecretsAsync(session, "webhook_callback_secrets", "account_id", callbackAccounts, now, cancellationToken);
                return rows
                    .OrderBy(r => r.Delivery.NextAttemptAt)
                    .Select(r => new DueDelivery(
                        r.Delivery,
                        JobJson.Deserialize<Job>(r.JobJson),
                        (r.Delivery.EndpointId is { } endpoint
                            ? endpointSecrets.GetValueOrDefault(endpoint)
                            : callbackSecrets.GetValueOrDefault(r.Delivery.AccountId)) ?? []))
                    .ToList();
            },
            cancellationToken);

    /// <summary>
    /// Records an attempt of a delivery this node leased: delivered, or failed and due again at <paramref name="retryAt"/>,
    /// or (retryAt null) failed for good. A delivery failed for good disables its endpoint when nothing reached the
    /// endpoint since that delivery was made: the endpoint has then been failing for the whole retry schedule.
    /// </summary>
    public Task RecordAttemptAsync(
        WebhookDelivery delivery, string owner, DeliveryAttempt attempt, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        ArgumentNullException.ThrowIfNull(attempt);
        var status = attempt.Succeeded ? WebhookDeliveryStatus.Delivered : retryAt is null ? WebhookDeliveryStatus.Failed : WebhookDeliveryStatus.Pending;
        return _database.WriteAsync(
            async session =>
            {
                var changed = await session.ExecuteAsync(
                    "UPDATE webhook_deliveries SET status = @status, attempts = attempts + 1, next_attempt_at = @next, " +
                    "last_status_code = @code, last_error = @error, last_latency_ms = @latency, " +
                    "finished_at = @finished, lease_owner = NULL, lease_until = NULL " +
                    "WHERE id = @id AND lease_owner = @owner AND status = 'pending';",
                    c =>
                    {
                        c.Text("@id", delivery.Id);
                        c.Text("@owner", owner);
                        c.Text("@status", status);
                        c.Bigint("@next", (retryAt ?? now).ToUnixTimeMilliseconds());
                        c.Bigint("@code", attempt.StatusCode);
                        c.Text("@error", attempt.Error);
                        c.Bigint("@latency", (long)attempt.Latency.TotalMilliseconds);
                        c.Bigint("@finished", status == WebhookDeliveryStatus.Pending ? null : now.ToUnixTimeMilliseconds());
                    },
                    cancellationToken);
                if (changed == 1 && status == WebhookDeliveryStatus.Failed && delivery.EndpointId is { } endpoint)
                {
                    await session.ExecuteAsync(
                        "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = @reason, updated_at = @now " +
                        "WHERE id = @endpoint AND enabled = 1 AND NOT EXISTS (SELECT 1 FROM webhook_deliveries " +
                        "WHERE endpoint_id = @endpoint AND status = 'delivered' AND finished_at >= @since);",
                        c =>
                        {
                            c.Text("@endpoint", endpoint);
                            c.Text("@reason", $"Deliveries failed for {FormatSpan(now - delivery.CreatedAt)} in a row (last: {attempt.Error}).");
                            c.Bigint("@now", now.ToUnixTimeMilliseconds());
                            c.Bigint("@since", delivery.CreatedAt.ToUnixTimeMilliseconds());
                        },
                        cancellationToken);
                }

                return changed;
            },
            cancellationToken);
    }

    /// <summary>The account's deliveries, newest first: to one endpoint, or (endpointId null) to every target.</summary>
    public Task<List<WebhookDelivery>> ListDeliveriesAsync(
        string accountId, string? endpointId, string? jobId, int limit, CancellationToken cancellationToken) =>
        _database.ReadAsync(
            session => session.QueryAsync(
                $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE account_id = @account_id " +
                "AND (@endpoint_id IS NULL OR endpoint_id = @endpoint_id) AND (@job_id IS NULL OR job_id = @job_id) " +
                "ORDER BY seq DESC LIMIT @limit;",
                c =>
                {
                    c.Text("@account_id", accountId);
                    c.Text("@endpoint_id", endpointId);
                    c.Text("@job_id", jobId);
                    c.Int4("@limit", limit);
                },
                ReadDelivery,
                cancellationToken),
            cancellationToken);

    /// <summary>The account's delivery of that id, or null.</summary>
    public async Task<WebhookDelivery?> GetDeliveryAsync(string accountId, string id, CancellationToken cancellationToken) =>
        (await _database.ReadAsync(
            session => session.QueryAsync(
                $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE id = @id AND account_id = @account_id;",
                c =>
                {
                    c.Text("@id", id);
                    c.Text("@account_id", accountId);
                },
                ReadDelivery,
                cancellationToken),
            cancellationToken)).SingleOrDefault();

    /// <summary>
    /// Sends a delivery again now (a failed one, or a pending one without waiting for its next attempt); its message id
    /// stays. A delivered one is left as it is. The delivery as it now is, or null when the account has none of that id.
    /// </summary>
    public async Task<WebhookDelivery?> RetryAsync(string accountId, string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _database.WriteOneAsync(
            session => session.ExecuteAsync(
                "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = @now, finished_at = NULL " +
                "WHERE id = @id AND account_id = @account_id AND status <> 'delivered';",
                c =>
                {
                    c.Text("@id", id);
                    c.Text("@account_id", accountId);
                    c.Bigint("@now", now.ToUnixTimeMilliseconds());
                },
                cancellationToken),
            cancellationToken);
        return await GetDeliveryAsync(accountId, id, cancellationToken);
    }

    /// <summary>Deletes up to <paramref name="max"/> deliveries that ended (delivered or failed) before <paramref name="before"/>; how many.</summary>
    public Task<int> DeleteFinishedAsync(DateTimeOffset before, int max, CancellationToken cancellationToken) =>
        _database.WriteOneAsync(
            session => session.ExecuteAsync(
                "DELETE FROM webhook_deliveries WHERE seq IN (SELECT seq FROM webhook_deliveries " +
                "WHERE status <> 'pending' AND finished_at < @before ORDER BY finished_at LIMIT @max);",
                c =>
                {
                    c.Bigint("@before", before.ToUnixTimeMilliseconds());
                    c.Int4("@max", max);
                },
                cancellationToken),
            cancellationToken);

    /// <summary>The signing secrets of the rows of <paramref name="table"/> (endpoints, or accounts' callback secrets) keyed by <paramref name="keys"/>.</summary>
    private static async Task<Dictionary<string, List<string>>> SecretsAsync(
        SqlSession session, string table, string key, string[] keys, DateTimeOffset now, CancellationToken cancellationToken) =>
        keys.Length == 0
            ? []
            : (await session.QueryAsync(
                $"SELECT {key}, secret, previous_secret, previous_until FROM {table} WHERE {key} IN ({SqlParameters.Placeholders("k", keys.Length)});",
                c => c.TextEach("k", keys),
                r => (Key: r.GetString(0), Secrets: SigningSecrets(r, now)),
                cancellationToken)).ToDictionary(e => e.Key, e => e.Secrets, StringComparer.Ordinal);

    private static List<string> SigningSecrets(DbDataReader row, DateTimeOffset now)
    {
        List<string> secrets = [row.GetString(1)];
        if (!row.IsDBNull(2) && !row.IsDBNull(3) && row.GetInt64(3) > now.ToUnixTimeMilliseconds())
        {
            secrets.Add(row.GetString(2));
        }

        return secrets;
    }

    private static CallbackSecret ReadCallbackSecret(DbDataReader r) => new(Time(r, 0), Time(r, 1), r.IsDBNull(2) ? null : Time(r, 2));

    private static WebhookEndpoint ReadEndpoint(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        WebhookOutbox.SplitEvents(r.GetString(3)),
        r.IsDBNull(4) ? null : r.GetString(4),
        r.GetInt64(5) == 1,
        r.IsDBNull(6) ? null : r.GetString(6),
        Time(r, 7),
        Time(r, 8),
        r.IsDBNull(9) ? null : Time(r, 9));

    private static WebhookDelivery ReadDelivery(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.IsDBNull(3) ? null : r.GetString(3),
        r.GetString(4),
        r.GetString(5),
        r.GetString(6),
        r.GetString(7),
        (int)r.GetInt64(8),
        Time(r, 9),
        r.IsDBNull(10) ? null : (int)r.GetInt64(10),
        r.IsDBNull(11) ? null : r.GetString(11),
        r.IsDBNull(12) ? null : (int)r.GetInt64(12),
        Time(r, 13),
        r.IsDBNull(14) ? null : Time(r, 14));

    private static DateTimeOffset Time(DbDataReader r, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(ordinal));

    private static string FormatSpan(TimeSpan span) =>
        span >= TimeSpan.FromHours(1) ? $"{span.TotalHours:0.#} h" : span >= TimeSpan.FromMinutes(1) ? $"{span.TotalMinutes:0.#} min" : $"{span.TotalSeconds:0.#} s";
}
