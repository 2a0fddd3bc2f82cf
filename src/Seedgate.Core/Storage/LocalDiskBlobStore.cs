namespace Seedgate.Core.Storage;

/// <summary>
/// Blobs as files under one root directory: key <c>outputs/cgt-1/video.mp4</c> is the file
/// <c>{root}/outputs/cgt-1/video.mp4</c>. Writes go to a temporary file in the same directory and are renamed
/// into place, so a reader sees the old blob or the new one, never half of one.
/// </summary>
public sealed class LocalDiskBlobStore : IBlobStore
{
    private const int BufferSize = 81920;

    // Temporary files carry '~', a character keys may not contain, so they can never be mistaken for a blob.
    private const string TempMarker = "~";

    private readonly string _root;

    public LocalDiskBlobStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootDirectory));
        Directory.CreateDirectory(_root);
    }

    /// <summary>The absolute root directory.</summary>
    public string RootDirectory => _root;

    public async Task PutFileAsync(string key, string sourcePath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        var path = PathFor(key);
        await using var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, useAsync: true);
        await WriteAtomicallyAsync(path, (target, ct) => source.CopyToAsync(target, BufferSize, ct), cancellationToken);
    }

    public async Task MoveFileAsync(string key, string sourcePath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        var path = PathFor(key);
        cancellationToken.ThrowIfCancellationRequested();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            // rename(2) replaces the old file atomically, as the temp-and-rename of a put does.
            File.Move(sourcePath, path, overwrite: true);
        }
        catch (IOException) when (File.Exists(sourcePath))
        {
            // Another file system (rename cannot cross devices): copy, then let go of the source.
            await PutFileAsync(key, sourcePath, cancellationToken);
            File.Delete(sourcePath);
        }
    }

    public Task PutBytesAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        return WriteAtomicallyAsync(path, (target, ct) => target.WriteAsync(bytes, ct).AsTask(), cancellationToken);
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var path = PathFor(key);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // FileShare.Delete lets a later put rename a new version over this one while it is being read
            // (Windows needs it; on Unix the reader keeps the old inode either way).
            Stream stream = new FileStream(
                path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize, useAsync: true);
            return Task.FromResult<Stream?>(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && Directory.Exists(path))
        {
            // "outputs/cgt-1" while "outputs/cgt-1/video.mp4" exists: a directory here, and no blob under that key.
            return Task.FromResult<Stream?>(null);
        }
    }

    public async Task<bool> CopyToFileAsync(string key, string destinationPath, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(destinationPath);
        await using var source = await OpenReadAsync(key, cancellationToken);
        if (source is null)
        {
            return false;
        }

        // Same temp-and-rename as a put, so an engine never opens a half-copied input after a cancellation.
        await WriteAtomicallyAsync(
            Path.GetFullPath(destinationPath), (target, ct) => source.CopyToAsync(target, BufferSize, ct), cancellationToken);
        return true;
    }

    /// <summary>
    /// Deletes every blob whose key starts with <paramref name="prefix"/> (plain string prefix: "outputs/cgt-1"
    /// also matches "outputs/cgt-12/…"; end it with '/' to mean one directory). An empty prefix is refused
    /// rather than taken as "everything".
    /// </summary>
    public Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        BlobKeys.ValidatePrefix(prefix);
        cancellationToken.ThrowIfCancellationRequested();

        var lastSlash = prefix.LastIndexOf('/');
        var directory = lastSlash < 0 ? _root : Path.Combine(_root, prefix[..lastSlash]);
        var namePrefix = prefix[(lastSlash + 1)..];
        if (!Directory.Exists(directory))
        {
            return Task.CompletedTask;
        }

        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!entry.Name.StartsWith(namePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            try
            {
                if (entry is DirectoryInfo dir)
                {
                    dir.Delete(recursive: true);
                }
                else
                {
                    entry.Delete();
                }
            }
            catch (DirectoryNotFoundException)
            {
                // Deleted concurrently: the goal is reached.
            }
        }

        if (namePrefix.Length == 0 && lastSlash >= 0)
        {
            // "outputs/cgt-1/" names the directory itself; remove it once empty.
            TryDeleteEmptyDirectory(directory);
        }

        return Task.CompletedTask;
    }

    /// <summary>The local file holding the blob, or null when there is none; lets downloads use sendfile.</summary>
    public string? TryGetLocalPath(string key)
    {
        var path = PathFor(key);
        return File.Exists(path) ? path : null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when the key breaks the rules in <see cref="BlobKeys"/>.</summary>
    public static void ValidateKey(string key) => BlobKeys.Validate(key);

    private string PathFor(string key)
    {
        ValidateKey(key);
        var path = Path.GetFullPath(Path.Combine(_root, key));

        // The key rules already keep paths inside the root; this is the second lock on the same door.
        if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The blob key '{key}' leaves the store's root.", nameof(key));
        }

        return path;
    }

    private static async Task WriteAtomicallyAsync(
        string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $"{TempMarker}{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize, useAsync: true))
            {
                await write(target, cancellationToken);
            }

            // rename(2) within one directory replaces the old file atomically.
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort; the original failure is the one worth reporting.
            }

            throw;
        }
    }

    private static void TryDeleteEmptyDirectory(string directory)
    {
        try
        {
            if (!Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
        catch (IOException)
        {
            // Something was written there meanwhile, or it is gone already; both are fine.
        }
    }
}
