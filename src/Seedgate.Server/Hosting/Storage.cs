using Microsoft.Extensions.DependencyInjection.Extensions;
using Seedgate.Core.Accounts;
using Seedgate.Core.Jobs;
using Seedgate.Core.Storage;
using Seedgate.Core.Storage.Postgres;
using Seedgate.Core.Storage.Sql;
using Seedgate.Core.Storage.Sqlite;
using Seedgate.Core.Webhooks;

namespace Seedgate.Server.Hosting;

/// <summary>
/// The stores this node uses, chosen by configuration:
/// jobs and accounts in PostgreSQL when Seedgate:Storage:Postgres holds a connection string (every node on the
/// same database forms one cluster), else in SQLite (Seedgate:Storage:SqlitePath, default data/seedgate.db);
/// blobs in S3 when Seedgate:Blobs:S3:Bucket is set (shared by every node), else on local disk
/// (Seedgate:Blobs:Directory, default data/blobs). The job store runs <see cref="IJobEffect"/>s in every transition's
/// transaction.
/// </summary>
internal sealed class Storage(
    IJobStore jobs, IAccountStore accounts, UpstreamTaskStore upstreamTasks, WebhookStore webhooks, IBlobStore blobs, IReadOnlyList<object> owned) : IAsyncDisposable
{
    public IJobStore Jobs { get; } = jobs;
    public IAccountStore Accounts { get; } = accounts;
    public UpstreamTaskStore UpstreamTasks { get; } = upstreamTasks;
    public WebhookStore Webhooks { get; } = webhooks;
    public IBlobStore Blobs { get; } = blobs;

    /// <summary>The stores the configuration names, composed without touching a database or bucket yet.</summary>
    public static Storage Create(IConfiguration configuration, string dataDirectory, IReadOnlyList<IJobEffect> effects)
    {
        var owned = new List<object>();
        IJobStore jobs;
        IAccountStore accounts;
        UpstreamTaskStore upstreamTasks;
        WebhookStore webhooks;
        if (configuration["Seedgate:Storage:Postgres"] is { Length: > 0 } postgres)
        {
            var database = PostgresDatabase.Create(postgres, TimeProvider.System);
            owned.Add(database);
            (jobs, accounts, upstreamTasks, webhooks) =
                (new SqlJobStore(database, effects), new SqlAccountStore(database), new UpstreamTaskStore(database), new WebhookStore(database));
        }
        else
        {
            var path = configuration["Seedgate:Storage:SqlitePath"] ?? Path.Combine(dataDirectory, "seedgate.db");
            var database = SqliteDatabase.Create(Path.GetFullPath(path), TimeProvider.System);
            owned.Add(database);
            (jobs, accounts, upstreamTasks, webhooks) =
                (new SqlJobStore(database, effects), new SqlAccountStore(database), new UpstreamTaskStore(database), new WebhookStore(database));
        }

        IBlobStore blobs;
        var s3 = configuration.GetSection(S3BlobOptions.SectionName).Get<S3BlobOptions>();
        if (s3 is { Bucket.Length: > 0 })
        {
            s3.Validate();
            var store = new S3BlobStore(s3);
            owned.Add(store);
            blobs = store;
        }
        else
        {
            blobs = new LocalDiskBlobStore(Path.GetFullPath(configuration["Seedgate:Blobs:Directory"] ?? Path.Combine(dataDirectory, "blobs")));
        }

        return new Storage(jobs, accounts, upstreamTasks, webhooks, blobs, owned);
    }

    /// <summary>Brings the database schema up to date and makes sure the bucket exists: once, at start-up.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        foreach (var item in owned)
        {
            switch (item)
            {
                case SqliteDatabase sqlite:
                    await sqlite.MigrateAsync(cancellationToken);
                    break;
                case PostgresDatabase postgres:
                    await postgres.MigrateAsync(cancellationToken);
                    break;
                case S3BlobStore s3:
                    await s3.EnsureBucketAsync(cancellationToken);
                    break;
            }
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
    /// <summary>
    /// Registers the stores the configuration names (the container owns and disposes them) as IJobStore, IAccountStore,
    /// UpstreamTaskStore and IBlobStore, and the <see cref="StorageInitializer"/> that migrates them when the host starts.
    /// </summary>
    public static IServiceCollection AddSeedgateStorage(
        this IServiceCollection services, IConfiguration configuration, string dataDirectory, IReadOnlyList<IJobEffect> effects)
    {
        var storage = Storage.Create(configuration, dataDirectory, effects);
        services.AddSingleton(_ => storage); // created by a factory, so the container disposes it
        services.TryAddSingleton(sp => sp.GetRequiredService<Storage>().Jobs);
        services.TryAddSingleton(sp => sp.GetRequiredService<Storage>().Accounts);
        services.TryAddSingleton(sp => sp.GetRequiredService<Storage>().UpstreamTasks);
        services.TryAddSingleton(sp => sp.GetRequiredService<Storage>().Webhooks);
        services.TryAddSingleton(sp => sp.GetRequiredService<Storage>().Blobs);
        services.TryAddSingleton<StorageInitializer>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageInitializer>());
        return services;
    }
}
