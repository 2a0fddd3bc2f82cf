using Microsoft.Data.Sqlite;
using Seedgate.Core.Accounts;

namespace Seedgate.Core.Storage.Sqlite;

/// <summary><see cref="IAccountStore"/> on a SQLite file.</summary>
public sealed class SqliteAccountStore : IAccountStore
{
    private readonly SqliteDatabase _database;

    public SqliteAccountStore(SqliteDatabase database)
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
                await using var command = connection.CreateCommand();

                // An existing account keeps its name and creation time.
                command.CommandText =
                    "INSERT INTO accounts (id, name, created_at) VALUES (@id, @name, @created_at) ON CONFLICT (id) DO NOTHING;";
                command.Parameters.AddWithValue("@id", accountId);
                command.Parameters.AddWithValue("@name", name);
                command.Parameters.AddWithValue("@created_at", now.ToUnixTimeMilliseconds());
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
                await using var command = connection.CreateCommand();
                command.CommandText =
                    "INSERT INTO api_keys (id, account_id, name, hash, prefix, created_at, revoked_at) " +
                    "VALUES (@id, @account_id, @name, @hash, @prefix, @created_at, NULL);";
                command.Parameters.AddWithValue("@id", key.Id);
                command.Parameters.AddWithValue("@account_id", key.AccountId);
                command.Parameters.AddWithValue("@name", key.Name);
                command.Parameters.AddWithValue("@hash", key.Hash);
                command.Parameters.AddWithValue("@prefix", key.Prefix);
                command.Parameters.AddWithValue("@created_at", key.CreatedAt.ToUnixTimeMilliseconds());
                return await command.ExecuteNonQueryAsync(cancellationToken);
            },
            cancellationToken);
    }

    public async Task<ApiKeyRecord?> FindApiKeyAsync(string hash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hash);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT id, account_id, name, hash, prefix, created_at FROM api_keys WHERE hash = @hash AND revoked_at IS NULL;";
        command.Parameters.AddWithValue("@hash", hash);
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
    }

    public async Task<byte[]> GetOrAddSecretAsync(string name, byte[] candidate, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(candidate);

        // First writer wins: a later insert is a no-op, and a stored secret is never updated, so the read that
        // follows (in the same transaction) returns the winner's bytes on every node.
        return await _database.WriteAsync(
            async connection =>
            {
                await using (var insert = connection.CreateCommand())
                {
                    insert.CommandText = "INSERT INTO secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING;";
                    insert.Parameters.AddWithValue("@name", name);
                    insert.Parameters.Add("@value", SqliteType.Blob).Value = candidate;
                    await insert.ExecuteNonQueryAsync(cancellationToken);
                }

                await using var select = connection.CreateCommand();
                select.CommandText = "SELECT value FROM secrets WHERE name = @name;";
                select.Parameters.AddWithValue("@name", name);
                return await select.ExecuteScalarAsync(cancellationToken) as byte[]
                    ?? throw new InvalidOperationException($"Secret '{name}' vanished after it was stored.");
            },
            cancellationToken);
    }
}
