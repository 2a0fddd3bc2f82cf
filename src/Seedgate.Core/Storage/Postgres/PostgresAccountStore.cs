using Npgsql;
using Seedgate.Core.Accounts;

namespace Seedgate.Core.Storage.Postgres;

/// <summary><see cref="IAccountStore"/> on PostgreSQL.</summary>
public sealed class PostgresAccountStore : IAccountStore
{
    private readonly PostgresDatabase _database;

    public PostgresAccountStore(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    public async Task EnsureAccountAsync(string accountId, string name, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountId);
        ArgumentNullException.ThrowIfNull(name);
        await _database.WriteAsync(
            async connection =>
            {
                // An existing account keeps its name and creation time.
                await using var command = new NpgsqlCommand(
                    "INSERT INTO accounts (id, name, created_at) VALUES (@id, @name, @created_at) ON CONFLICT (id) DO NOTHING;",
                    connection);
                command.Parameters.Text("id", accountId);
                command.Parameters.Text("name", name);
                command.Parameters.Bigint("created_at", now.ToUnixTimeMilliseconds());
                return await command.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    /// <summary>Stores the key; the account must exist (foreign key) and the hash must be new (unique).</summary>
    public async Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await _database.WriteAsync(
            async connection =>
            {
                await using var command = new NpgsqlCommand(
                    "INSERT INTO api_keys (id, account_id, name, hash, prefix, created_at, revoked_at) " +
                    "VALUES (@id, @account_id, @name, @hash, @prefix, @created_at, NULL);",
                    connection);
                command.Parameters.Text("id", key.Id);
                command.Parameters.Text("account_id", key.AccountId);
                command.Parameters.Text("name", key.Name);
                command.Parameters.Text("hash", key.Hash);
                command.Parameters.Text("prefix", key.Prefix);
                command.Parameters.Bigint("created_at", key.CreatedAt.ToUnixTimeMilliseconds());
                return await command.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public async Task<ApiKeyRecord?> FindApiKeyAsync(string hash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return await _database.ReadAsync(
            async connection =>
            {
                await using var command = new NpgsqlCommand(
                    "SELECT id, account_id, name, hash, prefix, created_at FROM api_keys WHERE hash = @hash AND revoked_at IS NULL;",
                    connection);
                command.Parameters.Text("hash", hash);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                if (!await reader.ReadAsync(cancellationToken))
                {
                    return null;
                }

                return new ApiKeyRecord(
                    reader.GetString(0),
                    reader.GetString(1),
                    reader.GetString(2),
                    reader.GetString(3),
                    reader.GetString(4),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
            },
            cancellationToken);
    }

    public async Task<byte[]> GetOrAddSecretAsync(string name, byte[] candidate, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(candidate);

        // First writer wins. The INSERT is a no-op when the name exists; when another session is inserting it at the
        // same moment, ON CONFLICT waits for that session to commit. Either way the row is committed once the INSERT
        // returns, and the SELECT (its own snapshot, read committed) sees the winner's bytes. A stored secret is never
        // updated. One round trip: both statements go out as one batch.
        return await _database.WriteAsync(
            async connection =>
            {
                await using var batch = new NpgsqlBatch(connection)
                {
                    BatchCommands =
                    {
                        new NpgsqlBatchCommand("INSERT INTO secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING;"),
                        new NpgsqlBatchCommand("SELECT value FROM secrets WHERE name = @name;"),
                    },
                };
                batch.BatchCommands[0].Parameters.Text("name", name);
                batch.BatchCommands[0].Parameters.Bytea("value", candidate);
                batch.BatchCommands[1].Parameters.Text("name", name);
                await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
                do
                {
                    // The SELECT's result set (the INSERT has no columns).
                    if (reader.FieldCount > 0 && await reader.ReadAsync(cancellationToken))
                    {
                        return await reader.GetFieldValueAsync<byte[]>(0, cancellationToken);
                    }
                }
                while (await reader.NextResultAsync(cancellationToken));

                throw new InvalidOperationException($"Secret '{name}' vanished after it was stored.");
            },
            cancellationToken);
    }
}
