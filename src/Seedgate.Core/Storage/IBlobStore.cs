namespace Seedgate.Core.Storage;

/// <summary>
/// Where outputs (and uploaded inputs) live. Keys are relative paths such as
/// <c>outputs/cgt-…/video.mp4</c>: lower-case letters, digits, '-', '_', '.' and '/' only, never '..'.
/// </summary>
public interface IBlobStore
{
    /// <summary>Stores a copy of a local file under the key, replacing what was there.</summary>
    Task PutFileAsync(string key, string sourcePath, CancellationToken cancellationToken);

    /// <summary>
    /// Stores a local file under the key and takes it over: afterwards the source path is gone. Cheaper than a copy
    /// for files that would be deleted anyway (a rename on local disk).
    /// </summary>
    Task MoveFileAsync(string key, string sourcePath, CancellationToken cancellationToken);

    /// <summary>Stores bytes under the key.</summary>
    Task PutBytesAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken);

    /// <summary>A seekable stream of the blob (so downloads can honour Range), or null when there is none.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Copies the blob to a local file (engines read inputs from files); false when there is none.</summary>
    Task<bool> CopyToFileAsync(string key, string destinationPath, CancellationToken cancellationToken);

    /// <summary>Deletes every blob whose key starts with the prefix.</summary>
    Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken);
}
