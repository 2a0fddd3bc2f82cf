using Npgsql;

namespace Seedgate.Server.Tests.Infrastructure;

/// <summary>A fresh database on the server of SEEDGATE_TEST_POSTGRES (./test.sh starts one), dropped after.</summary>
internal sealed class ClusterDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name = "seedgate_test_" + Guid.NewGuid().ToString("N");

    private ClusterDatabase(string server) => _server = server;

    public string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { Database = _name }.ToString();

    public static async Task<ClusterDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable("SEEDGATE_TEST_POSTGRES")
            ?? throw new InvalidOperationException("SEEDGATE_TEST_POSTGRES is not set: run ./test.sh, which starts a throwaway PostgreSQL.");
        var database = new ClusterDatabase(server);
        await database.RunAsync($"CREATE DATABASE {database._name}");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsync($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    private async Task RunAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
