using Microsoft.Extensions.DependencyInjection.Extensions;
using Seedgate.Core.Accounts;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage;
using Seedgate.Core.Storage.Postgres;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Storage.Sqlite;

namespace Seedgate.Server.Hosting;

/// <summary>
/// The stores this node uses, chosen by configuration:
/// jobs and accounts in PostgreSQL when Seedgate:Storage:Postgres holds a connection string (every node on the
/// same database forms one cluster), else in SQLite (Seedgate:Storage:SqlitePath, default data/seedgate.db);
/// blobs in S3 when Seedgate:Blobs:S3:Bucket is set (shared by every node), else on local disk
/// (Seedgate:Blobs:Directory, default data/blobs). The job store runs <see cref="IJobEffect"/>s in every transition's
/// transaction.
/// </summary>
internal sealed class Storage(IJobStore jobs, IAccountStore accounts, IBlobStore blobs, IReadOnlyList<object> owned) : IAsyncDisposable
{
    public IJobStore Jobs { get; } = jobs;
    public IAccountStore Accounts { get; } = accounts;
    public IBlobStore Blobs { get; } = blobs;

    public static async Task<Storage> OpenAsync(
        IConfiguration configuration, string dataDirectory, IReadOnlyList<IJobEffect> effects, CancellationToken cancellationToken)
    {
        var owned = new List<object>();
        try
        {
            IJobStore jobs;
            IAccountStore accounts;
            if (configuration["Seedgate:Storage:Postgres"] is { Length: > 0 } postgres)
            {
                var database = await PostgresDatabase.OpenAsync(postgres, cancellationToken);
                owned.Add(database);
                (jobs, accounts) = (new SqlJobStore(database, effects), new SqlAccountStore(database));
            }
            else
            {
                var path = configuration["Seedgate:Storage:SqlitePath"] ?? Path.Combine(dataDirectory, "seedgate.db");
                var database = await SqliteDatabase.OpenAsync(Path.GetFullPath(path), cancellationToken);
                owned.Add(database);
                (jobs, accounts) = (new SqlJobStore(database, effects), new SqlAccountStore(database));
            }

            IBlobStore blobs;
            var s3 = configuration.GetSection(S3BlobOptions.SectionName).Get<S3BlobOptions>();
            if (s3 is { Bucket.Length: > 0 })
            {
                s3.Validate();
                var store = new S3BlobStore(s3);
                owned.Add(store);
                await store.EnsureBucketAsync(cancellationToken);
                blobs = store;
            }
            else
            {
                blobs = new LocalDiskBlobStore(Path.GetFullPath(configuration["Seedgate:Blobs:Directory"] ?? Path.Combine(dataDirectory, "blobs")));
            }

            return new Storage(jobs, accounts, blobs, owned);
        }
        catch
        {
            await DisposeAllAsync(owned);
            throw;
        }
    }

    public ValueTask DisposeAsync() => DisposeAllAsync(owned);

    private static async ValueTask DisposeAllAsync(IReadOnlyList<object> owned)
    {
        foreach (var item in owned)
        {
            switch (item)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }
}

internal static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the opened stores (the container owns and disposes them) as IJobStore, IAccountStore and IBlobStore.</summary>
    public static IServiceCollection AddSeedgateStorage(this IServiceCollection services, Storage storage)
    {
        services.AddSingleton(_ => storage); // created by a factory, so the container disposes it
        services.TryAddSingleton(sp => sp.GetRequiredService<Storage>().Jobs);
        services.TryAddSingleton(sp => sp.GetRequiredService<Storage>().Accounts);
        services.TryAddSingleton(sp => sp.GetRequiredService<Storage>().Blobs);
        return services;
    }
}
