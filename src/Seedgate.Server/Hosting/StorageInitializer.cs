using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Seedgate.Core.Accounts;

namespace Seedgate.Server.Hosting;

/// <summary>
/// Makes the stores ready before anything else starts (<see cref="IHostedLifecycleService.StartingAsync"/> runs ahead of
/// every hosted service's start): migrations, the bucket, the default account and the key that signs download links.
/// Composing the host touches no database; starting it does, and a failure here stops the start.
/// </summary>
internal sealed class StorageInitializer(Storage storage, TimeProvider time) : IHostedLifecycleService
{
    private byte[]? _linkSecret;

    /// <summary>The download-link key kept in the database (made on the first start, shared by every node).</summary>
    public byte[] LinkSecret => _linkSecret ?? throw new InvalidOperationException("The storage is not initialized: start the host first.");

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await storage.InitializeAsync(cancellationToken);
        await storage.Accounts.EnsureAccountAsync(ApiKeys.DefaultAccountId, "Default account", time.GetUtcNow(), cancellationToken);
        _linkSecret = await storage.Accounts.GetOrAddSecretAsync("download-links", RandomNumberGenerator.GetBytes(32), cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
