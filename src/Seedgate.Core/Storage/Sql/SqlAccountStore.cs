using System.Data.Common;
using Seedgate.Core.Accounts;
using Seedgate.Core.Storage.Postgres;
using Seedgate.Core.Storage.Sqlite;

namespace Seedgate.Core.Storage.Sql;

/// <summary><see cref="IAccountStore"/> on SQL, one source for SQLite and PostgreSQL.</summary>
public sealed class SqlAccountStore : IAccountStore
{
    private const string AccountColumns = "id, name, plan, overrides, created_at, updated_at";
    private const string KeyColumns = "id, account_id, name, hash, prefix, created_at, revoked_at";

    // The shared token bucket, in micro-tokens: refilled by the time since at_ms (at most a day's, so the product stays
    // in 64 bits) at @rate micro-tokens a millisecond, up to @cap; then whole tokens are taken, up to @want. The SET
    // expressions all read the row as it was. CASE rather than LEAST/MIN: one statement for both providers.
    private const string Elapsed = "(CASE WHEN @now > rate_buckets.at_ms THEN CASE WHEN @now - rate_buckets.at_ms > 86400000 " +
        "THEN 86400000 ELSE @now - rate_buckets.at_ms END ELSE 0 END)";

    private const string Available = $"(CASE WHEN rate_buckets.micro_tokens + {Elapsed} * @rate > @cap THEN @cap " +
        $"ELSE rate_buckets.micro_tokens + {Elapsed} * @rate END)";

    private const string Taken = $"(CASE WHEN {Available} / 1000000 > @want THEN @want ELSE {Available} / 1000000 END)";

    private const string LeaseSql =
        "INSERT INTO rate_buckets (account_id, class, micro_tokens, at_ms, granted) VALUES (@account_id, @class, @cap - @first * 1000000, @now, @first) " +
        $"ON CONFLICT (account_id, class) DO UPDATE SET micro_tokens = {Available} - {Taken} * 1000000, " +
        "at_ms = CASE WHEN @now > rate_buckets.at_ms THEN @now ELSE rate_buckets.at_ms END, " +
        $"granted = {Taken} RETURNING granted, micro_tokens;";

    private readonly ISqlDatabase _database;

    public SqlAccountStore(SqliteDatabase database)
        : this((ISqlDatabase)database)
    {
    }

    public SqlAccountStore(PostgresDatabase database)
        : this((ISqlDatabase)database)
    {
    }

    internal SqlAccountStore(ISqlDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    public Task<LedgerBalance> GetBalanceAsync(string accountId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return _database.ReadAsync(session => Ledger.BalanceAsync(session, accountId, since, cancellationToken), cancellationToken);
    }

    public Task<UsageReport> GetUsageAsync(
        string accountId, DateTimeOffset from, DateTimeOffset to, UsageGrouping groupBy, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return _database.ReadAsync(session => LedgerUsage.ReadAsync(session, accountId, from, to, groupBy, cancellationToken), cancellationToken);
    }

    public Task EnsureAccountAsync(string accountId, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentNullException.ThrowIfNull(name);

        // An existing account keeps its name and creation time.
        return _database.WriteAsync(
            session => session.ExecuteAsync(
                "INSERT INTO accounts (id, name, created_at, updated_at) VALUES (@id, @name, @created_at, @created_at) ON CONFLICT (id) DO NOTHING;",
                c =>
                {
                    c.Text("@id", accountId);
                    c.Text("@name", name);
                    c.Bigint("@created_at", now.ToUnixTimeMilliseconds());
                },
                cancellationToken),
            cancellationToken);
    }

    /// <summary>Stores the key; the account must exist (foreign key) and the hash must be new (unique).</summary>
    public Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _database.WriteAsync(
            session => session.ExecuteAsync(
                "INSERT INTO api_keys (id, account_id, name, hash, prefix, created_at, revoked_at) " +
                "VALUES (@id, @account_id, @name, @hash, @prefix, @created_at, NULL);",
                c =>
                {
                    c.Text("@id", key.Id);
                    c.Text("@account_id", key.AccountId);
                    c.Text("@name", key.Name);
                    c.Text("@hash", key.Hash);
                    c.Text("@prefix", key.Prefix);
                    c.Bigint("@created_at", key.CreatedAt.ToUnixTimeMilliseconds());
                },
                cancellationToken),
            cancellationToken);
    }

    public async Task<ApiKeyRecord?> FindApiKeyAsync(string hash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hash);
        var keys = await _database.ReadAsync(
            session => session.QueryAsync(
                $"SELECT {KeyColumns} FROM api_keys WHERE hash = @hash AND revoked_at IS NULL;", c => c.Text("@hash", hash), ReadKey, cancellationToken),
            cancellationToken);
        return keys.SingleOrDefault();
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(string accountId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        return _database.ReadAsync<IReadOnlyList<ApiKeyRecord>>(
            async session => await session.QueryAsync(
                $"SELECT {KeyColumns} FROM api_keys WHERE account_id = @account_id ORDER BY created_at, id;",
                c => c.Text("@account_id", accountId),
                ReadKey,
                cancellationToken),
            cancellationToken);
    }

    public async Task<ApiKeyRecord?> GetApiKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var keys = await _database.ReadAsync(
            session => session.QueryAsync($"SELECT {KeyColumns} FROM api_keys WHERE id = @id;", c => c.Text("@id", keyId), ReadKey, cancellationToken),
            cancellationToken);
        return keys.SingleOrDefault();
    }

    public async Task<bool> RevokeApiKeyAsync(string keyId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var changed = await _database.WriteOneAsync(
            session => session.ExecuteAsync(
                "UPDATE api_keys SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL;",
                c =>
                {
                    c.Text("@id", keyId);
                    c.Bigint("@now", now.ToUnixTimeMilliseconds());
                },
                cancellationToken),
            cancellationToken);
        return changed == 1;
    }

    public Task<bool> CreateAccountAsync(Account account, CancellationToken cancellationToken) =>
        WriteAccountAsync(
            "INSERT INTO accounts (id, name, plan, overrides, created_at, updated_at) " +
            "VALUES (@id, @name, @plan, @overrides, @created_at, @updated_at) ON CONFLICT (id) DO NOTHING;",
            account,
            cancellationToken);

    public Task<bool> UpdateAccountAsync(Account account, CancellationToken cancellationToken) =>
        WriteAccountAsync(
            "UPDATE accounts SET name = @name, plan = @plan, overrides = @overrides, updated_at = @updated_at WHERE id = @id;",
            account,
            cancellationToken);

    public async Task<Account?> GetAccountAsync(string accountId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        var accounts = await _database.ReadAsync(
            session => session.QueryAsync(
                $"SELECT {AccountColumns} FROM accounts WHERE id = @id;", c => c.Text("@id", accountId), ReadAccount, cancellationToken),
            cancellationToken);
        return accounts.SingleOrDefault();
    }

    public Task<IReadOnlyList<Account>> ListAccountsAsync(CancellationToken cancellationToken) =>
        _database.ReadAsync<IReadOnlyList<Account>>(
            async session => await session.QueryAsync(
                $"SELECT {AccountColumns} FROM accounts ORDER BY created_at, id;", _ => { }, ReadAccount, cancellationToken),
            cancellationToken);

    public Task<long> AddCreditAsync(string accountId, long amountMicros, string? note, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        return _database.WriteOneAsync(session => Ledger.AddCreditAsync(session, accountId, amountMicros, note, now, cancellationToken), cancellationToken);
    }

    public async Task<RateLease> LeaseRateTokensAsync(
        string accountId, string bucketClass, double perSecond, int burst, int want, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentException.ThrowIfNullOrEmpty(bucketClass);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(perSecond, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(want, 1);
        var leases = await _database.WriteOneAsync(
            session => session.QueryAsync(
                LeaseSql,
                c =>
                {
                    c.Text("@account_id", accountId);
                    c.Text("@class", bucketClass);
                    c.Bigint("@now", now.ToUnixTimeMilliseconds());
                    c.Bigint("@rate", Math.Max(1, (long)Math.Round(perSecond * 1000))); // micro-tokens a millisecond
                    c.Bigint("@cap", burst * 1_000_000L);
                    c.Bigint("@want", want);
                    c.Bigint("@first", Math.Min(want, burst));
                },
                r => new RateLease((int)r.GetInt64(0), r.GetInt64(1)),
                cancellationToken),
            cancellationToken);
        return leases[0];
    }

    /// <summary>Runs one statement over an account's columns; whether it changed the row.</summary>
    private async Task<bool> WriteAccountAsync(string sql, Account account, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var changed = await _database.WriteOneAsync(session => session.ExecuteAsync(sql, c => BindAccount(c, account), cancellationToken), cancellationToken);
        return changed == 1;
    }

    private static void BindAccount(DbCommand command, Account account)
    {
        command.Text("@id", account.Id);
        command.Text("@name", account.Name);
        command.Text("@plan", account.Plan);
        command.Text("@overrides", account.Overrides);
        command.Bigint("@created_at", account.CreatedAt.ToUnixTimeMilliseconds());
        command.Bigint("@updated_at", account.UpdatedAt.ToUnixTimeMilliseconds());
    }

    private static Account ReadAccount(DbDataReader row) => new(
        row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3), Time(row, 4), Time(row, 5));

    private static ApiKeyRecord ReadKey(DbDataReader row) => new(
        row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3), row.GetString(4), Time(row, 5),
        row.IsDBNull(6) ? null : Time(row, 6));

    private static DateTimeOffset Time(DbDataReader row, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(ordinal));

    public async Task<byte[]> GetOrAddSecretAsync(string name, byte[] candidate, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(candidate);

        // First writer wins. The INSERT is a no-op when the name exists; when another node is inserting it at the same
        // moment, it waits for that node to commit (PostgreSQL: ON CONFLICT waits; SQLite: one writer at a time). The
        // SELECT then sees the winner's bytes (read committed: a fresh snapshot per statement). A secret never changes.
        var values = await _database.WriteAsync(
            async session =>
            {
                await session.ExecuteAsync(
                    "INSERT INTO secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING;",
                    c =>
                    {
                        c.Text("@name", name);
                        c.Bytes("@value", candidate);
                    },
                    cancellationToken);
                return await session.QueryAsync(
                    "SELECT value FROM secrets WHERE name = @name;", c => c.Text("@name", name), row => (byte[])row.GetValue(0), cancellationToken);
            },
            cancellationToken);
        return values.SingleOrDefault() ?? throw new InvalidOperationException($"Secret '{name}' vanished after it was stored.");
    }
}
