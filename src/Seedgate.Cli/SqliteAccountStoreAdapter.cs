using Seedgate.Core.Accounts;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Storage.Sqlite;

namespace Seedgate.Cli;

/// <summary>An account store opened by the CLI, together with whatever owns its connection (disposed with it).</summary>
internal sealed class OpenedAccountStore(IAccountStore accounts, object? owner) : IAsyncDisposable
{
    public IAccountStore Accounts { get; } = accounts;

    public async ValueTask DisposeAsync()
    {
        switch (owner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}

/// <summary>Opens the SQLite account store in a data directory for `seedgate keys create`.</summary>
internal static class SqliteAccountStoreAdapter
{
    public static async Task<OpenedAccountStore> OpenAsync(string databasePath, CancellationToken cancellationToken)
    {
        var database = await SqliteDatabase.OpenAsync(databasePath, cancellationToken);
        return new OpenedAccountStore(new SqlAccountStore(database), database);
    }
}
