using Seedgate.Core.Accounts;

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

/// <summary>
/// The one seam between `seedgate keys create` and the SQLite store, which is written on another branch. Until that is
/// merged, this throws; the integrator swaps the marked line for the commented one (and adds
/// <c>using Seedgate.Core.Storage.Sqlite;</c>).
/// </summary>
internal static class SqliteAccountStoreAdapter
{
    public static async Task<OpenedAccountStore> OpenAsync(string databasePath, CancellationToken cancellationToken)
    {
        // INTEGRATION: replace the next line with
        //   var db = await SqliteDatabase.OpenAsync(databasePath, cancellationToken); return new OpenedAccountStore(new SqliteAccountStore(db), db);
        await Task.Yield(); throw new NotSupportedException($"The SQLite account store is not part of this build yet ({databasePath}).");
    }
}
