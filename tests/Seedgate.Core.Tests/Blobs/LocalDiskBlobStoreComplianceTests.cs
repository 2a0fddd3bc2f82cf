using Seedgate.Core.Storage;

namespace Seedgate.Core.Tests.Blobs;

/// <summary>The blob store compliance suite on a fresh directory per test; each store opens the directory anew.</summary>
public sealed class LocalDiskBlobStoreComplianceTests : BlobStoreCompliance
{
    protected override Task<IBlobStore> CreateStoreAsync() =>
        Task.FromResult<IBlobStore>(new LocalDiskBlobStore(Path.Combine(Scratch, "store")));
}
