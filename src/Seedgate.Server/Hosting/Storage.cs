using Seedgate.Core.Accounts;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage;
using Seedgate.Core.Storage.Sqlite;

namespace Seedgate.Server.Hosting;

/// <summary>
/// The stores this node uses, chosen by configuration (section Seedgate:Storage and Seedgate:Blobs):
/// SQLite in the data directory and local disk by default.
/// </summary>
internal sealed class Storage(IJobStore jobs, IAccountStore accounts, IBlobStore blobs, IDisposable owner) : IDisposable
{
    public IJobStore Jobs { get; } = jobs;
    public IAccountStore Accounts { get; } = accounts;
    public IBlobStore Blobs { get; } = blobs;

    public static async Task<Storage> OpenAsync(IConfiguration configuration, string dataDirectory, CancellationToken cancellationToken)
    {
        var sqlitePath = configuration["Seedgate:Storage:SqlitePath"] ?? Path.Combine(dataDirectory, "seedgate.db");
        var blobDirectory = configuration["Seedgate:Blobs:Directory"] ?? Path.Combine(dataDirectory, "blobs");
        var database = await SqliteDatabase.OpenAsync(Path.GetFullPath(sqlitePath), cancellationToken);
        return new Storage(
            new SqliteJobStore(database), new SqliteAccountStore(database), new LocalDiskBlobStore(Path.GetFullPath(blobDirectory)), database);
    }

    public void Dispose() => owner.Dispose();
}
